# Modules an alias resolves to (kmod: modprobe.d `alias` lines first, then modules.alias), one per line.
# Alias patterns are shell globs; names compare with - and _ as the same character, as kmod does.
# Usage: awk -v want=NAME -f resolve-alias.awk MODPROBE_CONF MODULES.ALIAS
function glob2re(g,    r, i, c) {
  r = "^"
  for (i = 1; i <= length(g); i++) {
    c = substr(g, i, 1)
    if (c == "*") r = r ".*"
    else if (c == "?") r = r "."
    else if (c == "[" || c == "]") r = r c
    else if (index("\\^$.|()+{}", c)) r = r "\\" c
    else r = r c
  }
  return r "$"
}
$1 == "alias" && NF >= 3 {
  # Most of modules.alias is pci:/usb:/acpi* patterns: compare the literal prefix before building a regex.
  a = $2; w = match(a, /[*?[]/); prefix = w ? substr(a, 1, w - 1) : a
  gsub(/-/, "_", prefix)
  if (substr(want, 1, length(prefix)) != prefix) next
  gsub(/-/, "_", a); m = $3; gsub(/-/, "_", m)
  if (want ~ glob2re(a) && !(m in seen)) { seen[m] = 1; print m }
}
