# CPack runs this on the staging tree before packing: strips the installed programs (pgdeploy,
# its core program and its agent program) as Debian's dh_strip does (debug symbols, and the
# .comment and .note sections too).
find_program(STRIP_PROGRAM strip REQUIRED)
file(GLOB binaries "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/usr/bin/*"
     "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/usr/libexec/pgdeploy/pgdeploy"
     "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/usr/libexec/pgdeploy/pgdeploy-agent")
foreach(binary IN LISTS binaries)
  execute_process(
    COMMAND ${STRIP_PROGRAM} --remove-section=.comment --remove-section=.note ${binary}
    COMMAND_ERROR_IS_FATAL ANY)
endforeach()
