"""DOC001: the shipped RAY004 example, run with fewer tasks (argv[2]) but its own source lines."""

import runpy
import sys
import time

module = runpy.run_path(sys.argv[1], run_name="doctor_example")
module["main"].__globals__["NUM_TASKS"] = int(sys.argv[2])
print(module["main"]())
time.sleep(2)
