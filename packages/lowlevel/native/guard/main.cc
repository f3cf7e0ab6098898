// fusekit-guard <mountpoint> <mountpoint as mountinfo writes it> <fusermount3|-> <baseline ids|-> <3|->
// Started by the addon (unmount_guard.cc) with the pipe from the serving process on fd 0 and, when
// the last argument is 3, a pidfd of it on fd 3. Not meant to be run by hand.
#include <sys/prctl.h>
#include "guard.h"

int main(int argc, char** argv) {
  if (argc != 6) return 2;
  prctl(PR_SET_NAME, "fusekit-guard");
  auto given = [](const char* s) { return s[0] == '-' && s[1] == '\0' ? "" : s; };
  fusekit::guard::Config config;
  config.path = argv[1];
  config.escaped = argv[2];
  config.fusermount = given(argv[3]);
  config.baseline = given(argv[4]);
  config.input = 0;
  config.pidfd = argv[5][0] == '3' ? 3 : -1;
  fusekit::guard::Run(config);
}
