// SPDX-License-Identifier: GPL-2.0
/*
 * kbledger: the C half of a small leaf driver, /dev/kbledger.
 *
 * Linux 6.12 has no Rust abstraction for misc devices, so C registers the
 * device and moves bytes across the user/kernel boundary. Everything else
 * (what a request means, whether it is allowed, the ledger itself) belongs
 * to the Rust core, ledger_core.rs, which also owns module init and exit.
 *
 * A write(2) is one request; a read(2) returns the ledger as one line of text:
 *
 *   echo -ne '\0001\0003\0144\0000' > /dev/kbledger     # deposit 100 into account 3
 *   cat /dev/kbledger
 *   balances 0 0 0 100 0 0 0 0 entries 1
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

/* the longest request the device takes; the longest line a read returns */
#define KB_LEDGER_MAX_REQUEST 16
#define KB_LEDGER_MAX_SHOW 256

/*
 * ledger_core.rs: judges and applies the len bytes at req. Returns 0, or a
 * negative errno for a request it refuses or cannot carry out. May sleep.
 */
int kb_ledger_request(void *ctx, const u8 *req, size_t len);
/* ledger_core.rs: writes the ledger as text into buf; its length or a negative errno */
ssize_t kb_ledger_show(void *ctx, char *buf, size_t len);

/* called by ledger_core.rs: its init and its exit */
int kb_ledger_register(void *ctx);
void kb_ledger_unregister(void);

/* the Rust core's state, set by kb_ledger_register before the device exists */
static void *kb_ledger_ctx;

static ssize_t kbledger_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	u8 req[KB_LEDGER_MAX_REQUEST];
	int err;

	/* count comes from user space: never copy more than the buffer holds */
	if (count > sizeof(req))
		return -EMSGSIZE;
	if (copy_from_user(req, ubuf, count))
		return -EFAULT;
	err = kb_ledger_request(kb_ledger_ctx, req, count);
	if (err)
		return err;
	return count;
}

static ssize_t kbledger_read(struct file *file, char __user *ubuf, size_t count,
			     loff_t *ppos)
{
	char buf[KB_LEDGER_MAX_SHOW];
	ssize_t n = kb_ledger_show(kb_ledger_ctx, buf, sizeof(buf));

	if (n < 0)
		return n;
	if (n > sizeof(buf))
		return -EIO;
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static const struct file_operations kbledger_fops = {
	.owner = THIS_MODULE,
	.read = kbledger_read,
	.write = kbledger_write,
	.llseek = noop_llseek,
};

static struct miscdevice kbledger_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kbledger",
	.fops = &kbledger_fops,
	.mode = 0666,
};

/*
 * Called by the Rust core's init: ctx must stay valid until
 * kb_ledger_unregister() has returned. Returns 0 or a negative errno.
 */
int kb_ledger_register(void *ctx)
{
	int err;

	kb_ledger_ctx = ctx;
	err = misc_register(&kbledger_dev);
	if (err)
		return err;
	pr_info("kbledger: /dev/kbledger ready\n");
	return 0;
}

/* Called by the Rust core's exit, before it frees ctx. */
void kb_ledger_unregister(void)
{
	misc_deregister(&kbledger_dev);
	pr_info("kbledger: /dev/kbledger removed\n");
}
