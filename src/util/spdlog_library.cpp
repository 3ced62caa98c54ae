// spdlog's compiled part, built into pgdeploy instead of loaded as libspdlog.so and libfmt.so
// (see the logging_library target in src/util/CMakeLists.txt for why). Every file of the project
// includes spdlog's declarations only (SPDLOG_COMPILED_LIB); this one holds their definitions,
// from the implementation headers Debian's libspdlog-dev installs, and the instances of the
// class templates pgdeploy uses: the sinks of cli/logging.cpp and of spdlog's default logger.
#ifndef SPDLOG_COMPILED_LIB
#error "spdlog_library.cpp is the definitions of a compiled spdlog: SPDLOG_COMPILED_LIB"
#endif

#include <spdlog/common-inl.h>
#include <spdlog/details/backtracer-inl.h>
#include <spdlog/details/log_msg-inl.h>
#include <spdlog/details/log_msg_buffer-inl.h>
#include <spdlog/details/null_mutex.h>
#include <spdlog/details/os-inl.h>
#include <spdlog/details/periodic_worker-inl.h>
#include <spdlog/details/registry-inl.h>
#include <spdlog/logger-inl.h>
#include <spdlog/pattern_formatter-inl.h>
#include <spdlog/sinks/ansicolor_sink-inl.h>
#include <spdlog/sinks/base_sink-inl.h>
#include <spdlog/sinks/sink-inl.h>
#include <spdlog/sinks/stdout_sinks-inl.h>
#include <spdlog/spdlog-inl.h>

#include <mutex>

// syslog_sink_mt is a base_sink<std::mutex>; stderr_sink_mt a stdout_sink_base of the console's.
template class spdlog::sinks::base_sink<std::mutex>;
// The single-threaded sinks (ostream_sink_st, in the tests).
template class spdlog::sinks::base_sink<spdlog::details::null_mutex>;
template class spdlog::sinks::stdout_sink_base<spdlog::details::console_mutex>;
template class spdlog::sinks::stderr_sink<spdlog::details::console_mutex>;
// The default logger spdlog's registry makes before setup_logging() replaces it.
template class spdlog::sinks::ansicolor_sink<spdlog::details::console_mutex>;
template class spdlog::sinks::ansicolor_stdout_sink<spdlog::details::console_mutex>;
