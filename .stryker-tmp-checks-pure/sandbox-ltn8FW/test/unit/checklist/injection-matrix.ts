// @ts-nocheck
// The injection matrix's data: bash contexts a reference can stand in, and hostile values. Each payload
// tries to create the file named by $MARKER (a per-case path); each safe context writes what bash made
// of the value to $OUT, and says what that must be for the value to have arrived as data.

/** Trailing newlines removed, as command substitution does. */
const strip = (v: string) => v.replace(/\n+$/, "");

export const PAYLOADS: readonly string[] = [
  "$(touch $MARKER)",
  "`touch $MARKER`",
  "x; touch $MARKER",
  "x\ntouch $MARKER\n",
  "'; touch $MARKER; '",
  '"; touch $MARKER; "',
  "${IFS}touch${IFS}$MARKER",
  "a[$(touch $MARKER)]",
  "x[$(touch $MARKER)]+1",
  "\nEOF\ntouch $MARKER\nEOF\n",
  "\\$(touch $MARKER)",
  "\\'$(touch $MARKER)\\'",
  "$'\\x27'$(touch $MARKER)",
  "| touch $MARKER",
  "&& touch $MARKER",
  ") ; touch $MARKER ; (",
  "$((1+$(touch $MARKER)))",
  "-va[$(touch $MARKER)]",
  "}; touch $MARKER; {",
  "esac; touch $MARKER; case x in x)",
  "]] && touch $MARKER; [[ x",
  "*",
  "~root",
  "${v:-$(touch $MARKER)}",
  "%s%d\\n%b",
  "'",
  '"',
  "\\",
  "",
  " lead and trail ",
  "tab\there\r\n",
  "é ✓ $HOME",
];

export interface SafeContext {
  name: string;
  command: string;
  /** What $OUT must hold afterwards for the value v. */
  expect: (v: string) => string;
}

export interface UnsafeContext {
  name: string;
  command: string;
  /** Run as rendered with the payload, bash itself runs the payload's command (so refusing is right). */
  bashEvaluates?: boolean;
}

export const SAFE: readonly SafeContext[] = [
  { name: "bare word", command: "printf '%s' ${v} > \"$OUT\"", expect: (v) => v },
  { name: "double quotes", command: 'printf \'%s\' "${v}" > "$OUT"', expect: (v) => v },
  { name: "single quotes", command: "printf '%s' 'L${v}R' > \"$OUT\"", expect: (v) => `L${v}R` },
  {
    name: "inside double-quoted text",
    command: 'printf \'%s\' "L ${v} R" > "$OUT"',
    expect: (v) => `L ${v} R`,
  },
  { name: "ANSI-C quotes", command: "printf '%s' $'L\\t${v}R' > \"$OUT\"", expect: (v) => `L\t${v}R` },
  { name: "locale quotes", command: 'printf \'%s\' $"${v}" > "$OUT"', expect: (v) => v },
  {
    name: "$( ) in double quotes",
    command: 'printf \'%s\' "$(printf \'%s\' "${v}")" > "$OUT"',
    expect: strip,
  },
  { name: "bare word in $( )", command: "printf '%s' \"$(printf '%s' ${v})\" > \"$OUT\"", expect: strip },
  {
    name: "nested $( $( ) )",
    command: "printf '%s' \"$(printf '%s' \"$(printf '%s' ${v})\")\" > \"$OUT\"",
    expect: strip,
  },
  { name: "subshell", command: "( printf '%s' ${v} ) > \"$OUT\"", expect: (v) => v },
  { name: "group", command: "{ printf '%s' ${v}; } > \"$OUT\"", expect: (v) => v },
  { name: "function argument", command: 'f() { printf \'%s\' "$1"; }; f ${v} > "$OUT"', expect: (v) => v },
  { name: "function body", command: "f() { printf '%s' ${v}; }\nf > \"$OUT\"", expect: (v) => v },
  {
    name: "function keyword",
    command: 'function g { printf \'%s\' "${v}"; }; g > "$OUT"',
    expect: (v) => v,
  },
  { name: "pipeline", command: "printf '%s' ${v} | cat > \"$OUT\"", expect: (v) => v },
  { name: "after &&", command: "true && printf '%s' ${v} > \"$OUT\"", expect: (v) => v },
  { name: "after ||", command: "false || printf '%s' ${v} > \"$OUT\"", expect: (v) => v },
  {
    name: "if body",
    command: "if true; then\n  printf '%s' ${v} > \"$OUT\"\nfi",
    expect: (v) => v,
  },
  {
    name: "[ string comparison ]",
    command: 'if [ "${v}" = "${v}" ]; then printf ok > "$OUT"; fi',
    expect: () => "ok",
  },
  { name: "[ -n ]", command: '[ -n "${v}x" ] && printf ok > "$OUT"', expect: () => "ok" },
  { name: "test -n", command: 'test -n ${v}x && printf ok > "$OUT"', expect: () => "ok" },
  {
    name: "[[ == quoted pattern ]]",
    command: '[[ ${v} == "${v}" ]] && printf ok > "$OUT"',
    expect: () => "ok",
  },
  {
    name: "[[ = reference as pattern ]]",
    command: '[[ "${v}" = ${v} ]] && printf ok > "$OUT"',
    expect: () => "ok",
  },
  { name: "[[ -n ]]", command: '[[ -n ${v}x ]] && printf ok > "$OUT"', expect: () => "ok" },
  { name: "[[ =~ ]]", command: '[[ "${v}" =~ ^${v}$ ]] && printf ok > "$OUT"', expect: () => "ok" },
  {
    name: "while body",
    command: "while true; do printf '%s' ${v} > \"$OUT\"; break; done",
    expect: (v) => v,
  },
  { name: "until condition", command: "until printf '%s' ${v} > \"$OUT\"; do :; done", expect: (v) => v },
  {
    name: "for word list",
    command: 'for x in ${v}; do printf \'%s\' "$x" > "$OUT"; done',
    expect: (v) => v,
  },
  {
    name: "case subject and body",
    command: "case ${v} in\n  *) printf '%s' ${v} > \"$OUT\" ;;\nesac",
    expect: (v) => v,
  },
  {
    name: 'case inside "$( )"',
    command: 'x="$(case a in a) printf \'%s\' ${v} ;; esac)"; printf \'%s\' "$x" > "$OUT"',
    expect: strip,
  },
  { name: "here-string", command: 'cat <<< ${v} > "$OUT"', expect: (v) => `${v}\n` },
  { name: "quoted here-string", command: 'cat <<< "${v}" > "$OUT"', expect: (v) => `${v}\n` },
  { name: "here-document", command: 'cat > "$OUT" <<EOF\n${v}\nEOF', expect: (v) => `${v}\n` },
  {
    name: "here-document <<- with tabs",
    command: 'cat > "$OUT" <<-EOF\n\t<${v}>\n\tEOF',
    expect: (v) => `<${v}>\n`,
  },
  {
    name: "here-document in $( )",
    command: 'x=$(cat <<EOF\n${v}\nEOF\n); printf \'%s\' "$x" > "$OUT"',
    expect: strip,
  },
  {
    name: "${x:-default} in double quotes",
    command: 'printf \'%s\' "${UNSET_X:-${v}}" > "$OUT"',
    expect: (v) => v,
  },
  { name: "${x:-default} bare", command: "printf '%s' ${UNSET_X:-${v}} > \"$OUT\"", expect: (v) => v },
  { name: "${x:+alternative}", command: 'printf \'%s\' "${HOME:+${v}}" > "$OUT"', expect: (v) => v },
  { name: "assignment", command: 'x=${v}; printf \'%s\' "$x" > "$OUT"', expect: (v) => v },
  { name: "assignment, quoted", command: 'x="${v}"; printf \'%s\' "$x" > "$OUT"', expect: (v) => v },
  {
    name: "assignment before a command",
    command: 'X=${v} bash -c \'printf "%s" "$X"\' > "$OUT"',
    expect: (v) => v,
  },
  { name: "export", command: 'export X=${v}; printf \'%s\' "$X" > "$OUT"', expect: (v) => v },
  { name: "declare -x", command: 'declare -x X=${v}; printf \'%s\' "$X" > "$OUT"', expect: (v) => v },
  {
    name: "local",
    command: 'f() { local x=${v}; printf \'%s\' "$x"; }; f > "$OUT"',
    expect: (v) => v,
  },
  { name: "array element", command: 'a=(${v} b); printf \'%s\' "${a[0]}" > "$OUT"', expect: (v) => v },
  { name: "array append", command: 'a=(); a+=(${v}); printf \'%s\' "${a[0]}" > "$OUT"', expect: (v) => v },
  {
    name: "bash -c argument",
    command: 'bash -c \'printf "%s" "$1"\' _ ${v} > "$OUT"',
    expect: (v) => v,
  },
  { name: "process substitution", command: "cat <(printf '%s' ${v}) > \"$OUT\"", expect: (v) => v },
  { name: "line continuation", command: "printf '%s' \\\n  ${v} > \"$OUT\"", expect: (v) => v },
  { name: "followed by a comment", command: "printf '%s' ${v} > \"$OUT\" # ${v} here", expect: (v) => v },
  { name: "tee", command: 'printf \'%s\' "${v}" | tee "$OUT" > /dev/null', expect: (v) => v },
  { name: "env assignment", command: 'env X=${v} printenv X > "$OUT"', expect: (v) => `${v}\n` },
  { name: "time", command: "time printf '%s' ${v} > \"$OUT\" 2>/dev/null", expect: (v) => v },
  { name: "background job", command: "printf '%s' ${v} > \"$OUT\" &\nwait", expect: (v) => v },
  { name: "file descriptor", command: "exec 3> \"$OUT\"; printf '%s' ${v} >&3", expect: (v) => v },
  { name: "printf argument after format", command: "printf '%s' ${v} > \"$OUT\"", expect: (v) => v },
  { name: "printf -- format", command: 'printf -- \'%s\' "${v}" > "$OUT"', expect: (v) => v },
  { name: "two references", command: 'printf \'%s|%s\' ${v} "${v}" > "$OUT"', expect: (v) => `${v}|${v}` },
  {
    name: "$${escape} beside a reference",
    command: 'X=1; printf \'%s%s\' "$${X}" ${v} > "$OUT"',
    expect: (v) => `1${v}`,
  },
];

export const UNSAFE: readonly UnsafeContext[] = [
  { name: "let", command: "let n=${v}+1", bashEvaluates: true },
  { name: "declare -i then assignment", command: "declare -i n; n=${v}", bashEvaluates: true },
  { name: "local -i", command: "f() { local -i n=${v}; }; f", bashEvaluates: true },
  { name: "declare -i assignment", command: "declare -i n=${v}", bashEvaluates: true },
  { name: "typeset -i", command: "typeset -i n=${v}", bashEvaluates: true },
  { name: "array subscript assignment", command: "a[${v}]=1", bashEvaluates: true },
  { name: "${a[subscript]}", command: 'a=(); echo "${a[${v}]}"', bashEvaluates: true },
  { name: "$[ ]", command: "echo $[ ${v} ]", bashEvaluates: true },
  { name: "$(( ))", command: "echo $(( ${v} + 1 ))", bashEvaluates: true },
  { name: "(( ))", command: "(( ${v} > 1 ))", bashEvaluates: true },
  { name: "for (( ))", command: "for (( i=${v}; i<1; i++ )); do :; done", bashEvaluates: true },
  { name: "[[ -eq ]]", command: "[[ ${v} -eq 1 ]]", bashEvaluates: true },
  { name: "test -v", command: "test -v ${v}", bashEvaluates: true },
  { name: "[ -v ]", command: '[ -v "${v}" ]', bashEvaluates: true },
  { name: "[[ -v ]]", command: "[[ -v ${v} ]]", bashEvaluates: true },
  { name: "printf -v", command: "printf -v ${v} x", bashEvaluates: true },
  { name: "read", command: "read -r ${v} <<< x", bashEvaluates: true },
  { name: "unset", command: "a=(1); unset ${v}", bashEvaluates: true },
  { name: "declare name", command: "declare ${v}=1", bashEvaluates: true },
  { name: "export name", command: "export ${v}" },
  { name: "local name", command: "f() { local ${v}; }; f" },
  { name: "readonly name", command: "readonly ${v}=1" },
  { name: "eval", command: 'eval "printf %s ${v}"', bashEvaluates: true },
  { name: "bash -c", command: 'bash -c "printf %s ${v}"', bashEvaluates: true },
  { name: "sh -c in single quotes", command: "sh -c 'printf %s ${v}'", bashEvaluates: true },
  { name: "source", command: "source ${v}" },
  { name: ". (dot)", command: ". ${v}" },
  { name: "here-document running $( )", command: "cat <<EOF\n$(printf %s ${v})\nEOF" },
  { name: "here-document running backquotes", command: "cat <<EOF\n`printf x` ${v}\nEOF" },
  { name: "case pattern", command: "case x in ${v}) :;; esac" },
  { name: "backquotes", command: "printf %s `printf %s ${v}`" },
  { name: "quoted here-document", command: "cat <<'EOF'\n${v}\nEOF" },
  { name: "substring offset", command: 'x=abc; echo "${x:${v}}"', bashEvaluates: true },
  { name: "command name", command: "${v} --version" },
  { name: "printf first argument", command: "printf ${v} x", bashEvaluates: true },
  { name: "declare of an array", command: "x=(1); declare x=${v}" },
  { name: "declare -a", command: "declare -a x=${v}" },
  { name: "PS4", command: "PS4=${v}; set -x; :" },
  { name: "trap", command: 'trap "echo ${v}" EXIT', bashEvaluates: true },
  { name: "awk program", command: 'awk "BEGIN{print \\"${v}\\"}"' },
  { name: "find -exec", command: "find . -maxdepth 0 -exec echo ${v} \\;" },
  { name: "extglob (not understood)", command: "echo @(a|${v})" },
  { name: "two values side by side in [ ]", command: '[ "${v}" "${v}" ]' },
  { name: "ssh remote command", command: "ssh host echo ${v}" },
  { name: "xargs", command: "echo x | xargs ${v}" },
  { name: "pattern of ${x#...}", command: 'x=abc; echo "${x#${v}}"' },
];
