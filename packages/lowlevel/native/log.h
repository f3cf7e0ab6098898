// libfuse logs through one process-wide hook; messages are kept here until a session drains
// them into its logger (mount errors become the message of the thrown Error).
#pragma once
#include <string>
#include <vector>

namespace fusekit {

void InstallLogHook();
std::vector<std::string> DrainLog();

}  // namespace fusekit
