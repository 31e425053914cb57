-- Helpers shared by the lessons of this pack: kbridge runs this file before each
-- lesson.lua (in the same sandbox) and makes the table it returns the global `helpers`.
-- Byte strings here are Lua lists of numbers 0..255.
local H = {}

--- n random bytes, each in lo..hi (default 0..255)
function H.random_bytes(n, lo, hi)
  local t = {}
  for i = 1, n do t[i] = math.random(lo or 0, hi or 255) end
  return t
end

--- the lists given, one after the other, as one new list
function H.concat(...)
  local out = {}
  for _, part in ipairs({ ... }) do
    for _, b in ipairs(part) do out[#out + 1] = b end
  end
  return out
end

--- the bytes as escapes for busybox's `echo -ne '...'` (\0NNN, octal): any byte,
--- NUL included, written in one write(2)
function H.octal(bytes)
  local t = {}
  for i, b in ipairs(bytes) do t[i] = ("\\0%03o"):format(b) end
  return table.concat(t)
end

--- the bytes for a learner to read: "[01 03 61 ...] (N bytes)", at most 10 shown
function H.show(bytes)
  local t = {}
  for i = 1, math.min(#bytes, 10) do t[i] = ("%02x"):format(bytes[i]) end
  local s = table.concat(t, " ")
  if #bytes > 10 then s = s .. " ..." end
  return ("[%s] (%d byte%s)"):format(s, #bytes, #bytes == 1 and "" or "s")
end

return H
