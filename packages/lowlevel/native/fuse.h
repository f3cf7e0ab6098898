// The one place that pins the libfuse API version for every translation unit.
#pragma once
#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>
