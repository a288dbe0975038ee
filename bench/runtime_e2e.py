#!/usr/bin/env python3
"""The container runtime end to end: bench/side_by_side.py for bare runc and shoal, with
shoal's containers counted by its task dirs.

side_by_side counts shoal's containers with `runc list -q`, which prints nothing (and exits
1) when it meets a container runc is deleting at that moment: "rm of N" could read as done
while most containers were still being removed, and the daemon was then stopped with tasks
half removed. A task dir (<data>/containers/<task-id>) is the last thing the executor's
remove() deletes, after `runc delete`, the cgroups and the mounts; counting them measures
"no container left" exactly. The daemon is stopped only once every task dir is gone.

Usage: bench/runtime_e2e.py [side_by_side options] (default --systems runc,shoal)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import side_by_side as sbs  # noqa: E402


class Shoal(sbs.Shoal):
    def containers(self):
        try:
            return len(os.listdir(os.path.join(self.data, "containers")))
        except OSError:
            return 0

    def stop(self):
        try:
            sbs.wait_until(lambda: self.containers() == 0, 120, "shoal: task dirs removed")
        finally:
            super().stop()


sbs.Shoal = Shoal

if __name__ == "__main__":
    if "--systems" not in sys.argv:
        sys.argv += ["--systems", "runc,shoal"]
    sbs.main()
