#!/bin/sh
# The installer: writes one fragment atomically on the app server. pgdeploy runs it through the
# SSH user's shell (ssh/remote_install.cpp), after assigning these variables and defining
# reload(), the reload command:
#   dir file    the fragment is "$dir/$file"
#   mask        the umask that gives the installed file its mode
#   size        the bytes of the fragment on standard input
#   timeline node system   this run's epoch and primary, for the fencing check; system may be empty
#   fence hold reload_here 1 or 0: apply the fencing rule; wait for "go" before the rename;
#               run reload() here (else pgdeploy reloads through the admin console)
# Defining reload() first means a syntax error in a configured reload command stops the script
# before anything is touched.
#
# The EXIT trap is the only place that cleans up: every way out (failure, signal, lost
# connection, no "commit" from pgdeploy) removes the temporary file and, unless the run reached
# "committed", puts the previous file back and, if PgBouncer was already reloaded, reloads it again.
#
# The header lines and exit statuses below are filled in by the build from
# plan/fragment_format.hpp and ssh/remote_install.hpp.
: "${dir?}" "${file?}" "${mask?}" "${size?}" "${timeline?}" "${node?}" "${system?}"
: "${fence?}" "${hold?}" "${reload_here?}"
target="$dir/$file"
umask "$mask"
new='' old='' marker='' state=start
rollback() {
  case $state in installed|reloaded) ;; *) return 0 ;; esac
  if [ -z "$old" ]; then
    rm -f -- "$target"
  elif ! mv -f -- "$old" "$target"; then
    echo "cannot put the previous file back; it is kept as $old" >&2
  fi
  old=
  [ "$state" = reloaded ] && (reload) </dev/null >&2
  state=rolled_back
}
cleanup() {
  rollback
  [ -z "$new$old$marker" ] || rm -f -- ${new:+"$new"} ${old:+"$old"} ${marker:+"$marker"}
}
trap cleanup EXIT
trap 'exit 129' HUP INT TERM PIPE
fail() { echo "$1" >&2; exit "$2"; }
# Shell builtins only from here to the rename where possible: every program started costs the
# app server a fork and an exec, and during a failover every app server does this at once.
# same A B: the files say the same, but for the ", lsn ..." of their epoch lines.
same() {
  exec 3<"$1" 4<"$2"
  while :; do
    a='' b=''
    IFS= read -r a <&3; ea=$?
    IFS= read -r b <&4; eb=$?
    case $a in "@EPOCH_PREFIX@@EPOCH_TIMELINE@"*"@EPOCH_LSN@"*) a=${a%%"@EPOCH_LSN@"*} ;; esac
    case $b in "@EPOCH_PREFIX@@EPOCH_TIMELINE@"*"@EPOCH_LSN@"*) b=${b%%"@EPOCH_LSN@"*} ;; esac
    if [ "$a" != "$b" ] || [ "$ea" != "$eb" ]; then exec 3<&- 4<&-; return 1; fi
    [ "$ea" = 0 ] || break
  done
  exec 3<&- 4<&-
}
[ -d "$dir" ] || fail "config_dir $dir is not a directory" @INSTALL_WRITE_FAILED@
# A file that exists but cannot be read is never taken for an absent one: the fencing check and
# the comparison below must see what is there.
if [ -e "$target" ] || [ -L "$target" ]; then
  [ -f "$target" ] || fail "$target exists but is not a regular file" @INSTALL_UNREADABLE@
  [ -r "$target" ] || fail "cannot read $target (permission denied)" @INSTALL_UNREADABLE@
  { true <"$target"; } 2>/dev/null || fail "cannot read $target" @INSTALL_UNREADABLE@
fi
# The fencing rule; plan/fragment_format.cpp states it and applies it for --dry-run and --check.
refuse() { fail "$target $1" @INSTALL_REFUSED@; }
malformed() { refuse "carries pgdeploy's header, but $1: it was edited or damaged; check it, then remove it or use --force"; }
fence() {
  gen='' pline='' eline=''
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in
      "@GENERATED_PREFIX@"*) gen=1 ;;
      "@PRIMARY_PREFIX@"*)
        [ -z "$pline" ] || [ "$pline" = "$line" ] || malformed "it has two Primary lines that disagree"
        pline=$line ;;
      "@EPOCH_PREFIX@"*)
        [ -z "$eline" ] || [ "$eline" = "$line" ] || malformed "it has two Epoch lines that disagree"
        eline=$line ;;
    esac
    line=
  done <"$target"
  [ -n "$gen$pline$eline" ] || return 0
  [ -n "$pline" ] || malformed "its Primary line is missing"
  [ -n "$eline" ] || malformed "its Epoch line is missing"
  holder=${pline#"@PRIMARY_PREFIX@"}
  hid=${holder#"@PRIMARY_NODE@"}
  case $hid in *"@PRIMARY_NAME@"*) hid=${hid%%"@PRIMARY_NAME@"*} ;; *) malformed "its Primary line names no node" ;; esac
  case $hid in ""|0*|*[!0-9]*) malformed "its Primary line has no exact node id" ;; esac
  rest=${eline#"@EPOCH_PREFIX@@EPOCH_TIMELINE@"}
  [ "$rest" != "$eline" ] || malformed "its Epoch line has no timeline"
  ht=${rest%%,*}
  case $ht in ""|0*|*[!0-9]*) malformed "its Epoch line has no exact timeline" ;; esac
  # Numbers longer than ten digits would overflow the shell's arithmetic.
  if [ ${#ht} -gt 10 ] || [ ${#hid} -gt 10 ]; then malformed "its Epoch line has no exact timeline"; fi
  [ "$ht" -le 2147483647 ] || malformed "its Epoch line has no exact timeline"
  [ "$hid" -le 2147483647 ] || malformed "its Primary line has no exact node id"
  rest=${rest#"$ht"} hs=''
  case $rest in
    "@EPOCH_SYSTEM@"*)
      hs=${rest#"@EPOCH_SYSTEM@"}; hs=${hs%%,*}; rest=${rest#"@EPOCH_SYSTEM@$hs"}
      case $hs in ""|*[!0-9]*) malformed "its Epoch line has no exact system identifier" ;; esac
      [ ${#hs} -le 20 ] || malformed "its Epoch line has no exact system identifier" ;;
  esac
  case $rest in "@EPOCH_LSN@"*) ;; *) malformed "its Epoch line does not end in \"@EPOCH_LSN@...\"" ;; esac
  if [ -n "$hs" ] && [ -n "$system" ] && [ "$hs" != "$system" ]; then
    refuse "was written for another cluster (system identifier $hs, this cluster's is $system): a rebuilt cluster, or two clusters sharing a name and config_dir; check the cluster name, then --force replaces it"
  fi
  if [ "$ht" -gt "$timeline" ]; then
    refuse "is held by the primary $holder on timeline $ht, newer than $timeline: this run's primary was superseded; rejoin it (repmgr node rejoin), --force only after rebuilding the cluster"
  fi
  if [ "$ht" -eq "$timeline" ] && [ "$hid" -ne "$node" ]; then
    refuse "is held by the primary $holder on the same timeline $ht: two primaries were promoted from one parent; rejoin or rebuild the one that must not be primary (repmgr node rejoin --force-rewind, or repmgr standby clone), --force only after that"
  fi
  # pgdeploy moves the sessions of a PgBouncer whose primary changed.
  echo "held by $holder"
}
if [ "$fence" = 1 ] && [ -f "$target" ]; then
  fence
fi
# A file that no PgBouncer includes yet: pgdeploy warns where it cannot verify the reload.
[ -e "$target" ] || echo "@NEW_FILE_LINE@"
# $$ is unique among the live processes of this host: a file of that name is a leftover.
tmp="$dir/.$file.new.$$"
set -C
if ! { : >"$tmp"; } 2>/dev/null; then
  rm -f -- "$tmp"
  : >"$tmp" || { set +C; fail "cannot create a file in $dir" @INSTALL_WRITE_FAILED@; }
fi
set +C
new=$tmp
head -c "$size" >"$new" || fail "cannot write $new" @INSTALL_WRITE_FAILED@
got=$(wc -c <"$new")
[ "$got" -eq "$size" ] || fail "incomplete transfer: $got of $size bytes arrived" @INSTALL_INCOMPLETE@
if [ -f "$target" ] && same "$new" "$target"; then
  echo unchanged
  exit 0
fi
# Files that depend on this one (userlist, .pgpass) are pushed while it waits here: only once
# the fencing check has passed, and before the reload that picks them all up.
if [ "$hold" = 1 ]; then
  echo ready
  read -r go || go=
  [ "$go" = go ] || fail "not confirmed; nothing was changed" @INSTALL_ROLLED_BACK@
fi
# Present while a rollback may still come: pgdeploy, which reloads PgBouncer through its console
# here, waits for it to go after a lost "commit". A reload by command is rolled back in here.
if [ "$reload_here" = 0 ]; then
  marker="$dir/.$file.installing.$$"
  true >"$marker" 2>/dev/null || marker=
fi
if [ -e "$target" ]; then
  chgrp --reference="$target" -- "$new" 2>/dev/null || :
  old="$dir/.$file.previous.$$"
  ln -f -- "$target" "$old" || { old=; fail "cannot keep a copy of $target" @INSTALL_WRITE_FAILED@; }
fi
mv -f -- "$new" "$target" || fail "cannot rename over $target" @INSTALL_WRITE_FAILED@
new='' state=installed
if [ "$reload_here" = 1 ]; then
  echo reloading
  (reload) </dev/null >&2 || { rollback; fail "reload command failed; the previous file is back in place" @INSTALL_RELOAD_FAILED@; }
  state=reloaded
fi
echo installed
read -r verdict || verdict=
[ "$verdict" = commit ] || fail "not confirmed; the previous file is back in place" @INSTALL_ROLLED_BACK@
state=committed
