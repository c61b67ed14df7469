# The Linux layer's own tests that need cgroup v2 with the memory controller and every capability
# (tests/Reapd.Linux.Tests, class CgroupV2MemoryControllerTests), run by this machine's .NET inside the guest.
mkdir -p /dev/shm && mount -t tmpfs tmpfs /dev/shm
export HOME=/tmp DOTNET_CLI_HOME=/tmp DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
"$LINUX_TESTS" -class "$LINUX_TESTS_CLASS" -noColor -noLogo >"$OUT/tests.out" 2>&1
result tests_exit $?
