#pragma once
// The id an HA instance writes into the lease key: the host name (a pod's
// name in Kubernetes), the process id and a random part, so that two
// processes never share one, not even after a restart with the same pid.

#include <cstdint>
#include <string>

namespace sluice::app {

std::string make_instance_id(std::uint64_t seed);

}  // namespace sluice::app
