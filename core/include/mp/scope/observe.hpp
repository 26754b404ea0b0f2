#pragma once
// Controls of the observation plane for the calling program's own session (the writer side). The
// inspector's side - attaching to any session, snapshots, step mode - is mp/scope/session.hpp.
#include <string>

namespace mp::scope {

enum class ObserveLevel {
    Off,   // primitives only: no events, holders or users (what "observation off" measures)
    Basic, // the default: live state, holders, users, and events for lifecycle, blocking and state changes
    Full,  // every operation is an event (switched on while an inspector is attached)
};

// Name of this program's session ("mpscope-<pid>-<random>"), creating the session if it has none.
std::string current_session();
// The level the session records at when no inspector is attached; the environment variable
// MPSCOPE_OBSERVE=off|basic|full sets it when the session is created.
void set_observe_level(ObserveLevel level);
ObserveLevel observe_level();

} // namespace mp::scope
