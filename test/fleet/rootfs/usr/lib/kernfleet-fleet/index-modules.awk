# Flattens modules.builtin and modules.dep into one line per module with normalised names, so that each
# modprobe reads a small pre-digested file (what modules.dep.bin is to kmod):
#   NAME builtin            | NAME PATH DEP...
# Usage: awk -f index-modules.awk MODULES.BUILTIN MODULES.DEP
function norm(p) { sub(/.*\//, "", p); sub(/\.ko(\.(xz|gz|zst))?:?$/, "", p); gsub(/-/, "_", p); return p }
FILENAME ~ /builtin/ { print norm($1), "builtin"; next }
{
  path = $1; sub(/:$/, "", path)
  line = norm(path) " " path
  for (i = 2; i <= NF; i++) line = line " " norm($i)
  print line
}
