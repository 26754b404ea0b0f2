#pragma once
// Rendering a snapshot and its diagnoses: the jstack-like text of mpscope-inspect and JSON.
#include "mp/scope/analysis.hpp"
#include "mp/scope/snapshot.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace mp::scope {

// The whole report: session header, every process with what each blocked thread waits on and where it
// is parked, every object (internal ones left out) with its state, then the diagnoses: deadlocks
// (find_deadlocks) numbered, notes (find_recoveries) after them, or "No deadlock found.".
std::string format_report(const Snapshot& snapshot, const std::vector<Diagnosis>& diagnoses);

// "waits for fork-1 (Lock), held by Process-2, for 3.1 s" / "joins Process-1 for 0.5 s, timeout in 2.0 s".
std::string describe_wait(const Snapshot& snapshot, const Wait& wait);
// An object's state in words: "held by Process-1 (depth 2); 1 waiter", "2 of 3 parties waiting" ...
std::string describe_object(const Snapshot& snapshot, const ObjectInfo& object);
// The --list table: name, creator pid, age, main process, processes (live of registered).
std::string format_sessions(const std::vector<SessionInfo>& sessions);

// {"session": …, "time", "step_mode", "observe_level", "event_head", "processes": […], "objects": […],
//  "diagnoses": […], "deadlocked": bool}. Kind-specific object fields appear only for their kinds.
nlohmann::json to_json(const Snapshot& snapshot, const std::vector<Diagnosis>& diagnoses);
nlohmann::json to_json(const Diagnosis& diagnosis);
nlohmann::json to_json(const SessionInfo& session);

} // namespace mp::scope
