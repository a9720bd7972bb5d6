dnl P2S_TRY_CFLAGS(VAR, FLAGS): append each flag the compiler accepts
dnl (with -Werror, so unknown-flag warnings count) to VAR.
AC_DEFUN([P2S_TRY_CFLAGS], [
  for p2s_flag in m4_normalize([$2]); do
    AC_MSG_CHECKING([whether $CC accepts $p2s_flag])
    p2s_save_CFLAGS=$CFLAGS
    CFLAGS="$CFLAGS -Werror $p2s_flag"
    AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
      [AC_MSG_RESULT([yes]); $1="$$1 $p2s_flag"], [AC_MSG_RESULT([no])])
    CFLAGS=$p2s_save_CFLAGS
  done
])

dnl P2S_TRY_LDFLAGS(VAR, FLAGS): the same for linker flags, by a link test.
AC_DEFUN([P2S_TRY_LDFLAGS], [
  for p2s_flag in m4_normalize([$2]); do
    AC_MSG_CHECKING([whether the linker accepts $p2s_flag])
    p2s_save_LDFLAGS=$LDFLAGS
    LDFLAGS="$LDFLAGS -Werror $p2s_flag"
    AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
      [AC_MSG_RESULT([yes]); $1="$$1 $p2s_flag"], [AC_MSG_RESULT([no])])
    LDFLAGS=$p2s_save_LDFLAGS
  done
])
