#include "plan/fragment_format.hpp"

#include <stdexcept>

#include "pgdeploy/version.hpp"
#include "plan/pgbouncer_syntax.hpp"
#include "util/text.hpp"

namespace pgdeploy {
namespace {

// ", system N" of the epoch line; the identifier is digits only, as PostgreSQL prints it.
std::string system_part(const Epoch& epoch) {
  const std::string& id = epoch.system_identifier;
  if (id.empty()) {
    return {};
  }
  if (id.size() > 20 || id.find_first_not_of("0123456789") != std::string::npos) {
    throw std::invalid_argument("system identifier \"" + comment_text(id) + "\" is not a number");
  }
  return std::string(epoch_system) + id;
}

// "HOST:PORT" split at its last colon (an IPv6 host holds colons itself).
std::optional<Endpoint> endpoint_at(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  const auto port = leading_number(text.substr(colon + 1));
  return port ? std::optional(Endpoint{std::string(text.substr(0, colon)), *port}) : std::nullopt;
}

// A whole decimal number without sign or leading zero, as pgdeploy writes ids and timelines;
// at most 2147483647, which the installer's shell also compares exactly.
std::optional<int> exact_number(std::string_view text) {
  if (text.empty() || text.size() > 10 || text.front() == '0') {
    return std::nullopt;
  }
  return parse_number<int>(text);
}

// The Primary line after its prefix; the node id must be exact, the rest is information.
void read_primary_line(std::string_view line, FragmentHeader& header) {
  header.holder = std::string(line);
  const std::size_t open = line.find(primary_name);
  if (!line.starts_with(primary_node) || open == std::string_view::npos) {
    header.header_problem = "its Primary line names no node";
    return;
  }
  header.primary_id = exact_number(line.substr(primary_node.size(), open - primary_node.size()));
  if (!header.primary_id) {
    header.header_problem = "its Primary line has no exact node id";
    return;
  }
  const std::size_t at = line.rfind(primary_at);
  if (at != std::string_view::npos && at > open) {
    const std::size_t name = open + primary_name.size();
    header.primary_name = std::string(line.substr(name, at - name));
    header.target = endpoint_at(line.substr(at + primary_at.size()));
  }
}

// The Epoch line after "; Epoch: timeline "; timeline and system must be exact.
void read_epoch_line(std::string_view line, FragmentHeader& header) {
  const std::size_t comma = line.find(',');
  header.timeline = exact_number(line.substr(0, comma));
  std::string_view rest = comma == std::string_view::npos ? "" : line.substr(comma);
  if (rest.starts_with(epoch_system)) {
    rest.remove_prefix(epoch_system.size());
    const std::size_t end = std::min(rest.find(','), rest.size());
    header.system_identifier = std::string(rest.substr(0, end));
    rest.remove_prefix(end);
    if (header.system_identifier.empty() || header.system_identifier.size() > 20 ||
        header.system_identifier.find_first_not_of("0123456789") != std::string::npos) {
      header.header_problem = "its Epoch line has no exact system identifier";
    }
  }
  if (!header.timeline) {
    header.header_problem = "its Epoch line has no exact timeline";
  } else if (!rest.starts_with(epoch_lsn)) {
    header.header_problem = "its Epoch line does not end in \", lsn ...\"";
  } else {
    header.lsn = std::string(rest.substr(epoch_lsn.size()));
  }
}

// Remembers the first header line of a kind; a later one with other text is a header problem.
bool first_of_kind(std::string_view line, std::optional<std::string>& seen, FragmentHeader& header,
                   std::string_view what) {
  if (seen) {
    if (*seen != line && header.header_problem.empty()) {
      header.header_problem = "it has two " + std::string(what) + " lines that disagree";
    }
    return false;
  }
  seen = std::string(line);
  return true;
}

std::string holder_of(const FragmentHeader& held) {
  return held.holder.empty() ? std::string("(unnamed)") : held.holder;
}

// FRAGMENT with the ", lsn ..." part of its epoch line removed.
std::string without_lsn(std::string_view fragment) {
  std::string text(fragment);
  const std::size_t epoch =
      text.find("\n" + std::string(epoch_prefix) + std::string(epoch_timeline));
  if (epoch == std::string::npos) {
    return text;
  }
  const std::size_t line_end = text.find('\n', epoch + 1);
  const std::size_t lsn = text.find(epoch_lsn, epoch + 1);
  if (lsn != std::string::npos && (line_end == std::string::npos || lsn < line_end)) {
    text.erase(lsn, (line_end == std::string::npos ? text.size() : line_end) - lsn);
  }
  return text;
}

}  // namespace

std::string fragment_file_name(std::string_view cluster) {
  return std::string(cluster) + std::string(fragment_extension);
}

std::string fragment_path(std::string_view config_dir, std::string_view cluster) {
  return std::string(config_dir) + "/" + fragment_file_name(cluster);
}

std::string render_header(const FragmentInput& input) {
  return std::string(generated_prefix) + " " + std::string(version) + " for repmgr cluster " +
         comment_text(input.cluster) + ". Do not edit: the next run replaces this file.\n" +
         std::string(primary_prefix) + std::string(primary_node) +
         std::to_string(input.primary_id) + std::string(primary_name) +
         comment_text(input.primary_name) + std::string(primary_at) +
         comment_text(input.target.host) + ":" + std::to_string(input.target.port) + "\n" +
         std::string(epoch_prefix) + std::string(epoch_timeline) +
         std::to_string(input.epoch.timeline) + system_part(input.epoch) + std::string(epoch_lsn) +
         comment_text(input.epoch.lsn) + "\n";
}

FragmentHeader parse_header(std::string_view fragment) {
  FragmentHeader header;
  std::optional<std::string> primary_line;
  std::optional<std::string> epoch_line;
  const std::string epoch_timeline_prefix = std::string(epoch_prefix) + std::string(epoch_timeline);
  for (const std::string_view line : split_lines(fragment)) {
    if (line.starts_with(generated_prefix)) {
      header.has_header = true;
    } else if (line.starts_with(primary_prefix)) {
      header.has_header = true;
      if (first_of_kind(line, primary_line, header, "Primary")) {
        read_primary_line(line.substr(primary_prefix.size()), header);
      }
    } else if (line.starts_with(epoch_prefix)) {
      header.has_header = true;
      if (!line.starts_with(epoch_timeline_prefix)) {
        header.header_problem = "its Epoch line has no timeline";
      } else if (first_of_kind(line, epoch_line, header, "Epoch")) {
        read_epoch_line(line.substr(epoch_timeline_prefix.size()), header);
      }
    }
  }
  if (header.has_header && header.header_problem.empty() && (!primary_line || !epoch_line)) {
    header.header_problem =
        !primary_line ? "its Primary line is missing" : "its Epoch line is missing";
  }
  return header;
}

std::string describe_holder(const FragmentHeader& header) {
  if (!header.primary_id) {
    return "(no pgdeploy header)";
  }
  std::string text = header.holder;
  if (header.timeline) {
    text += ", timeline " + std::to_string(*header.timeline);
  }
  return text;
}

std::optional<std::string> fencing_refusal(const FragmentHeader& held, const std::string& path,
                                           const Node& primary, const Epoch& epoch) {
  if (!held.has_header) {
    return std::nullopt;
  }
  if (!held.header_problem.empty()) {
    return path + " carries pgdeploy's header, but " + held.header_problem +
           ": it was edited or damaged; check it, then remove it or use --force";
  }
  if (!held.system_identifier.empty() && !epoch.system_identifier.empty() &&
      held.system_identifier != epoch.system_identifier) {
    return path + " was written for another cluster (system identifier " + held.system_identifier +
           ", this cluster's is " + epoch.system_identifier +
           "): a rebuilt cluster, or two clusters sharing a name and config_dir; check the "
           "cluster name, then --force replaces it";
  }
  if (*held.timeline > epoch.timeline) {
    return path + " is held by the primary " + holder_of(held) + " on timeline " +
           std::to_string(*held.timeline) + ", newer than " + std::to_string(epoch.timeline) +
           ": this run's primary was superseded; rejoin it (repmgr node rejoin), --force only "
           "after rebuilding the cluster";
  }
  if (*held.timeline == epoch.timeline && *held.primary_id != primary.id) {
    return path + " is held by the primary " + holder_of(held) + " on the same timeline " +
           std::to_string(epoch.timeline) +
           ": two primaries were promoted from one parent; rejoin or rebuild the one that must "
           "not be primary (repmgr node rejoin --force-rewind, or repmgr standby clone), --force "
           "only after that";
  }
  return std::nullopt;
}

bool same_fragment(std::string_view a, std::string_view b) {
  return a == b || without_lsn(a) == without_lsn(b);
}

}  // namespace pgdeploy
