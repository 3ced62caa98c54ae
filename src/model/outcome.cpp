#include "model/outcome.hpp"

namespace pgdeploy {

const char* result_name(HostResult result) {
  switch (result) {
    case HostResult::updated:
      return "updated";
    case HostResult::unchanged:
      return "unchanged";
    case HostResult::would_update:
      return "would-update";
    case HostResult::failed:
      return "failed";
    case HostResult::refused:
      return "refused";
  }
  return "failed";
}

}  // namespace pgdeploy
