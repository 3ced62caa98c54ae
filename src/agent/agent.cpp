#include "agent/agent.hpp"

#include <pwd.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include "agent/agent_ack.hpp"
#include "agent/local_install.hpp"
#include "agent/state_cache.hpp"
#include "publish/published_state.hpp"
#include "util/deadline.hpp"
#include "util/interrupt.hpp"
#include "util/memory.hpp"

namespace pgdeploy {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds first_backoff{100};
constexpr milliseconds last_backoff{5000};
constexpr milliseconds renew_every{agent_lease_seconds * 1000 / 3};  // two chances before expiry

std::string local_host_name() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0) {
    throw usage_error("cannot read the host name: pass --name");
  }
  return name.data();
}

// The user the reload command runs as: root needs no sudo in the default command.
std::string local_user() {
  const passwd* user = ::getpwuid(::geteuid());
  return user != nullptr ? user->pw_name : "";
}

// Waits DURATION, or less when a signal asks the agent to stop.
void pause_for(milliseconds duration) {
  const auto end = Clock::now() + duration;
  while (interrupting_signal() == 0 && Clock::now() < end) {
    std::this_thread::sleep_for(std::min(milliseconds(50), duration));
  }
}

ExitCode exit_code_of(AgentResult result) {
  switch (result) {
    case AgentResult::updated:
    case AgentResult::unchanged:
      return ExitCode::ok;
    case AgentResult::refused:
      return ExitCode::safety_refusal;
    case AgentResult::failed:
      break;
  }
  return ExitCode::host_failed;
}

class AgentLoop {
 public:
  AgentLoop(const Options& options, etcd::EtcdClient& client, AdminConnector& admin)
      : options_(options),
        client_(client),
        installer_(admin, limits_for(options)),
        prefix_text_(cluster_prefix(options.etcd.prefix, options.cluster)),
        published_(published_range(prefix_text_)),
        name_(options.agent.name.value_or(local_host_name())),
        state_({prefix_text_ + epoch_key, prefix_text_ + primary_key, prefix_text_ + databases_key,
                prefix_text_ + app_servers_dir + name_}),
        user_(local_user()) {}

  // Reads the state (one linearizable read), applies it and acknowledges; the exit code of
  // that. Throws etcd::EtcdError when etcd cannot be reached.
  ExitCode read_and_apply();
  // Applies every change of the state as the watch reports it, until the state must be read
  // again: a cancelled or compacted watch, or --reread seconds gone. One watch serves every
  // change until then; the next read opens a new one. Between changes it sleeps, waking only
  // to renew the lease or for a signal. Throws etcd::EtcdError when the watch breaks.
  void follow();
  // Forgets the lease and the acknowledgement: after etcd was unreachable both may be gone.
  void start_over() {
    lease_ = 0;
    acked_.reset();
  }
  // On a graceful stop: revokes the lease, so that the acknowledgement goes with the agent
  // rather than lingering until the lease expires.
  void stop();

 private:
  // Applies what the cache holds and acknowledges it.
  ExitCode apply_state();
  [[nodiscard]] PublishedState cached_state() const;
  [[nodiscard]] bool is_news(const AckRecord& ack) const {
    return !acked_ || !repeats(*acked_, ack);
  }
  void acknowledge(const AckRecord& ack);
  void put_ack();
  void keep_lease();
  // How long the watch may sleep: until the lease is due for renewal or REREAD_AT.
  [[nodiscard]] milliseconds until_next_duty(Clock::time_point reread_at) const;

  const Options& options_;
  etcd::EtcdClient& client_;
  LocalInstaller installer_;
  std::string prefix_text_;
  // What the watch covers: the published keys, not the acknowledgements (each agent's
  // acknowledgement in its watch would be received by every other agent, N² of them).
  KeyRange published_;
  std::string name_;
  // What this agent reads: the shared keys and its own row, not the other app servers' rows
  // (each agent reading every row would be N² values through etcd for one publish).
  StateCache state_;
  std::string user_;
  std::int64_t lease_ = 0;
  Clock::time_point renewed_;
  std::string ack_;                 // the last acknowledgement, written again on a new lease
  std::optional<AckRecord> acked_;  // what ack_ says, once it is in the store
};

PublishedState AgentLoop::cached_state() const {
  PublishedState state = parse_published_state(state_.values_below(prefix_text_), options_.cluster,
                                               name_, prefix_text_);
  state.plan.sessions = options_.sessions;
  state.plan.pause = options_.pause;
  state.host.username = user_;
  if (options_.agent.config_dir) {
    state.host.config_dir = *options_.agent.config_dir;
  }
  state.host.admin_conninfo = options_.agent.admin_conninfo;
  state.host.reload_command = options_.agent.reload_command;
  return state;
}

ExitCode AgentLoop::read_and_apply() {
  state_.reset(client_.read_keys(state_.keys()));
  return apply_state();
}

ExitCode AgentLoop::apply_state() {
  AckRecord ack;
  // The state's revision: its epoch key's mod revision (every publish writes the epoch), which
  // a publisher waiting for the agents compares.
  ack.revision = state_.mod_revision(prefix_text_ + epoch_key);
  ExitCode code = ExitCode::ok;
  try {
    const PublishedState state = cached_state();
    ack.epoch = state.plan.epoch;
    ack.primary_id = state.plan.primary.id;
    const LocalOutcome outcome = installer_.apply(state);
    ack.result = outcome.result;
    ack.reason = outcome.reason;
    code = exit_code_of(outcome.result);
    const std::string text = std::string(result_name(outcome.result)) + ": " +
                             describe(state.plan.primary) + " at " + describe(state.plan.target) +
                             ", timeline " + std::to_string(state.plan.epoch.timeline) +
                             " (revision " + std::to_string(ack.revision) + ")";
    if (code == ExitCode::ok) {
      // A periodic re-read that finds everything in place is not worth a line every 30 s.
      spdlog::log(is_news(ack) ? spdlog::level::info : spdlog::level::debug, "{}: {}", name_, text);
    } else {
      spdlog::error("{}: {}: {}", name_, text, outcome.reason);
    }
  } catch (const StateProblem& e) {
    ack.result = AgentResult::failed;
    ack.reason = e.what();
    code = ExitCode::metadata;
    spdlog::error("{}: refused, nothing applied: {}", name_, e.what());
  }
  ack.time = std::chrono::system_clock::now();
  acknowledge(ack);
  return code;
}

void AgentLoop::acknowledge(const AckRecord& ack) {
  if (!is_news(ack)) {
    spdlog::debug("{}: the acknowledgement in place says the same; not rewritten", name_);
    return;
  }
  ack_ = ack_json(ack);
  acked_.reset();
  put_ack();
  acked_ = ack;
}

void AgentLoop::put_ack() {
  if (lease_ == 0) {
    lease_ = client_.grant_lease(options_.agent.once ? once_lease_seconds : agent_lease_seconds).id;
    renewed_ = Clock::now();
  }
  client_.put(prefix_text_ + agents_dir + name_, ack_, lease_);
}

void AgentLoop::keep_lease() {
  if (lease_ == 0 || Clock::now() - renewed_ < renew_every) {
    return;
  }
  renewed_ = Clock::now();
  if (client_.keep_alive(lease_).ttl == 0) {
    spdlog::warn("{}: the lease of the acknowledgement expired; writing it again", name_);
    lease_ = 0;
    put_ack();
  }
}

void AgentLoop::follow() {
  // A new watch for every read, started where the read is served: a watch on a member cut off
  // from the others would stay open and silent.
  const auto watch =
      client_.watch({published_.from, false, state_.revision() + 1, true, published_.to});
  const auto reread_at = Clock::now() + std::chrono::seconds(options_.agent.reread_seconds);
  while (interrupting_signal() == 0 && Clock::now() < reread_at) {
    keep_lease();
    auto message = watch->next(until_next_duty(reread_at), interrupt_fd());
    if (!message || message->kind == etcd::WatchResponse::Kind::created) {
      continue;
    }
    if (message->kind == etcd::WatchResponse::Kind::compacted) {
      spdlog::info("{}: revision {} was compacted; reading everything again", name_,
                   state_.revision() + 1);
      break;
    }
    if (message->kind == etcd::WatchResponse::Kind::canceled) {
      spdlog::info("{}: etcd cancelled the watch ({}); reading everything again", name_,
                   message->cancel_reason);
      break;
    }
    if (state_.advance(message->events)) {
      apply_state();
    }
    // The watch covers every app server's row, so one publish can be a message of hundreds of
    // KiB, and an apply renders, installs and reloads. Their memory is free by now, but freed
    // pages in the middle of the heap would stay resident for as long as the agent idles.
    message.reset();
    return_freed_memory();
  }
}

milliseconds AgentLoop::until_next_duty(Clock::time_point reread_at) const {
  auto next = reread_at;
  if (lease_ != 0) {
    next = std::min(next, renewed_ + renew_every);
  }
  return std::max(milliseconds(1), std::chrono::duration_cast<milliseconds>(next - Clock::now()));
}

void AgentLoop::stop() {
  if (lease_ == 0) {
    return;
  }
  try {
    client_.revoke_lease(lease_);
    spdlog::debug("{}: the acknowledgement's lease revoked", name_);
  } catch (const etcd::EtcdError& e) {
    spdlog::warn("{}: the acknowledgement stays until its lease expires: {}", name_, e.what());
  }
}

}  // namespace

ExitCode run_agent(const Options& options, etcd::EtcdClient& client, AdminConnector& admin) {
  AgentLoop agent(options, client, admin);
  if (options.agent.once) {
    try {
      return agent.read_and_apply();
    } catch (const etcd::EtcdError& e) {
      throw metadata_error(std::string("etcd: ") + e.what());
    }
  }
  catch_interrupts();
  milliseconds backoff = first_backoff;
  while (interrupting_signal() == 0) {
    try {
      agent.read_and_apply();
      backoff = first_backoff;
      agent.follow();
    } catch (const etcd::EtcdError& e) {
      spdlog::warn("etcd: {}; the fragment in place stays; trying again in {}", e.what(),
                   seconds_text(backoff));
      agent.start_over();
      pause_for(backoff);
      backoff = std::min(backoff * 2, last_backoff);
    }
  }
  agent.stop();
  spdlog::info("stopped by signal {}", interrupting_signal());
  return ExitCode::ok;
}

}  // namespace pgdeploy
