// SPDX-License-Identifier: GPL-2.0
/*
 * kbreq: the C half of a small request/answer device, /dev/kbreq.
 *
 * A write(2) is one request; a read(2) returns the answer to the last request
 * that was accepted. Linux 6.12 has no Rust abstraction for misc devices, so C
 * registers the device and moves the bytes across the user/kernel boundary;
 * kbreq_core.rs decides whether the bytes make a request and answers it.
 *
 *   printf '\001\003abc' > /dev/kbreq; cat /dev/kbreq      # prints 294
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/uaccess.h>

/* the longest request: an opcode, a length byte and 255 payload bytes */
#define KBREQ_MAX_REQUEST 257
/* room for the longest answer: 255 reversed bytes and a newline */
#define KBREQ_MAX_ANSWER 256

/*
 * kbreq_core.rs: checks the len bytes at req and answers them into answer.
 * Returns the answer's length, or a negative errno for a request it refuses.
 */
ssize_t kb_req_handle(const u8 *req, size_t len, u8 *answer, size_t answer_len);

static DEFINE_MUTEX(kbreq_lock);
static u8 kbreq_answer[KBREQ_MAX_ANSWER];
static size_t kbreq_answer_len;

static ssize_t kbreq_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	u8 req[KBREQ_MAX_REQUEST];
	u8 answer[KBREQ_MAX_ANSWER];
	ssize_t n;

	/* a refused request leaves nothing to read */
	mutex_lock(&kbreq_lock);
	kbreq_answer_len = 0;
	mutex_unlock(&kbreq_lock);

	/* copy no more than the buffer holds: count comes from user space too */
	if (count > sizeof(req))
		return -EMSGSIZE;
	if (copy_from_user(req, ubuf, count))
		return -EFAULT;

	/* no lock is held while Rust works on the request */
	n = kb_req_handle(req, count, answer, sizeof(answer));
	if (n < 0)
		return n;
	if (n > sizeof(answer))
		return -EIO;

	mutex_lock(&kbreq_lock);
	memcpy(kbreq_answer, answer, n);
	kbreq_answer_len = n;
	mutex_unlock(&kbreq_lock);
	return count;
}

static ssize_t kbreq_read(struct file *file, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&kbreq_lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, kbreq_answer,
				      kbreq_answer_len);
	mutex_unlock(&kbreq_lock);
	return ret;
}

static const struct file_operations kbreq_fops = {
	.owner = THIS_MODULE,
	.read = kbreq_read,
	.write = kbreq_write,
	.llseek = noop_llseek,
};

static struct miscdevice kbreq_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kbreq",
	.fops = &kbreq_fops,
	.mode = 0666,
};

static int __init kbreq_init(void)
{
	int err = misc_register(&kbreq_dev);

	if (err)
		return err;
	pr_info("kbreq: /dev/kbreq ready\n");
	return 0;
}

static void __exit kbreq_exit(void)
{
	misc_deregister(&kbreq_dev);
}

module_init(kbreq_init);
module_exit(kbreq_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbridge: untrusted bytes from user space, validated in Rust");
