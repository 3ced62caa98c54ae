#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string_view>

namespace pgdeploy {

// Replaces the file at PATH with CONTENT in one step: written to a temporary file beside it
// (same directory, so the rename is atomic), given MODE, then renamed over PATH. A reader sees
// the old file or the new one, never a part. Synced to disk only when DURABLE (the file and its
// directory, as the installer does for fragments): the metrics and the deploy record are
// rewritten by the next run, and the deploy record is written on the hook's path. Throws Error
// naming PATH when any step fails; the temporary file is removed.
void write_file_atomically(const std::filesystem::path& path, std::string_view content, mode_t mode,
                           bool durable = false);

}  // namespace pgdeploy
