# Load plan for one module name (normalised) from the module index (see index-modules.awk), dependencies
# first:  builtin NAME | missing NAME | load NAME PATH DIRECT_DEPS_COMMA_LIST_OR_-
# modules.dep lists every transitive dependency; the direct ones (for /proc/modules "used by") are those
# no other dependency already needs.
# Usage: awk -v want=NAME -f plan-modules.awk INDEX
$2 == "builtin" { builtin[$1] = 1; next }
{
  file[$1] = $2
  deps[$1] = ""
  for (i = 3; i <= NF; i++) deps[$1] = deps[$1] " " $i
}
function visit(n,    k, list, i) {
  if (n in done) return
  done[n] = 1
  k = split(deps[n], list, " ")
  for (i = k; i >= 1; i--) visit(list[i])
  order[++count] = n
}
function direct(n,    k, list, i, j, kk, inner, indirect, out) {
  k = split(deps[n], list, " ")
  for (i = 1; i <= k; i++) {
    kk = split(deps[list[i]], inner, " ")
    for (j = 1; j <= kk; j++) indirect[inner[j]] = 1
  }
  out = ""
  for (i = 1; i <= k; i++) if (!(list[i] in indirect)) out = out list[i] ","
  return out == "" ? "-" : out
}
END {
  if (want in builtin) { print "builtin " want; exit }
  if (!(want in file)) { print "missing " want; exit }
  visit(want)
  for (i = 1; i <= count; i++) print "load " order[i] " " file[order[i]] " " direct(order[i])
}
