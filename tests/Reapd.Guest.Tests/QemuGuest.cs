using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Reapd.Testing;

namespace Reapd.Guest.Tests;

/// <summary>
/// Boots one of Debian's kernels (<see cref="GuestKernel"/>) in qemu-system-x86_64 with a busybox initramfs built here
/// for it. The init loads the 9p modules (and any others asked for) in modules.dep order, mounts this machine's root
/// file system read-only over 9p as the guest's root (tmpfs on /tmp, /run, /var; or, with GuestOptions.WritableRoot,
/// as the lower layer of an overlay with a tmpfs above it and tmpfs on /tmp and /run), mounts a per-run shared directory
/// read-write at /mnt, and then either runs the scenario script in a chroot (cgroup v2 mounted, every capability) or
/// hands over to systemd as PID 1, which runs the scenario as a service. The scenario writes its results to /mnt;
/// the guest powers off when it is done and is killed at the time bound otherwise. Tests that cannot get a guest
/// (not root, no qemu, no kernel in the cache, a kernel that never reaches its init) are skipped with the reason.
/// One guest at a time per test process: the machine has two cores.
/// </summary>
public static class QemuGuest
{
    public const string Qemu = "/usr/bin/qemu-system-x86_64";
    public const string Busybox = "/bin/busybox";
    private const string Setpriv = "/usr/bin/setpriv";
    private const string InitMarker = "reapd-guest: scenario start ";

    /// <summary>In a guest with <see cref="GuestOptions.WritableRoot"/>: the overlay's upper layer, every file the guest wrote.</summary>
    public const string OverlayUpper = OverlayMount + "/upper";

    private const string OverlayMount = "/run/reapd-guest-overlay";
    private static readonly SemaphoreSlim s_oneAtATime = new(1, 1);
    private static readonly string[] s_rootModules = ["virtio_pci", "9pnet_virtio", "9p"];
    private static readonly Lazy<string> s_accel = new(ChooseAccelerator);

    /// <summary>The accelerator in use: "kvm" where KVM really boots a guest (probed once), else "tcg".</summary>
    public static string Accelerator => s_accel.Value;

    /// <summary>
    /// Boots the kernel of <paramref name="series"/> once and runs guest/NAME.sh for each of <paramref name="scenarios"/>
    /// in turn (with guest/lib.sh and the environment <paramref name="env"/>); one <see cref="GuestRun"/> per scenario.
    /// Skips the test when no guest can be started.
    /// </summary>
    public static IReadOnlyDictionary<string, GuestRun> Run(string series, IReadOnlyList<string> scenarios, GuestOptions options, IReadOnlyDictionary<string, string>? env = null)
    {
        GuestKernel kernel = RequireKernel(series);
        s_oneAtATime.Wait();
        try
        {
            string accel = Accelerator;
            IReadOnlyDictionary<string, GuestRun> runs = Boot(kernel, scenarios, options, env ?? new Dictionary<string, string>(), accel);
            GuestRun any = runs[scenarios[0]];
            if (any.BootSeconds is null && !any.TimedOut)
            {
                // A kernel that died before its init (TCG with several vCPUs has crashed on live kernel text patching
                // under heavy host load) gets one more boot before the tests are skipped.
                Report($"guest {kernel.Release}: no init reached; booting once more. Console tail: {Tail(any.Console).ReplaceLineEndings(" | ")}");
                runs = Boot(kernel, scenarios, options, env ?? new Dictionary<string, string>(), accel);
                any = runs[scenarios[0]];
            }
            var line = new StringBuilder();
            line.Append(CultureInfo.InvariantCulture,
                $"guest {kernel.Release}: {accel}, init at {any.BootSeconds?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-"} s guest uptime, {any.Elapsed.TotalSeconds:0.0} s wall{(any.TimedOut ? ", TIMED OUT" : "")};");
            foreach (string scenario in scenarios)
            {
                line.Append(CultureInfo.InvariantCulture, $" {scenario} {runs[scenario].Result("uptime_start") ?? "-"} .. {runs[scenario].Result("uptime_end") ?? "-"} s;");
            }
            Report(line.ToString());
            Assert.SkipWhen(any.BootSeconds is null && !any.TimedOut && accel == "tcg",
                $"QEMU did not boot Debian's {kernel.Release} to its init (TCG); console tail:\n{Tail(any.Console)}");
            return runs;
        }
        finally
        {
            s_oneAtATime.Release();
        }
    }

    /// <summary>The cached kernel of the series, or the test is skipped with the reason no guest can start.</summary>
    public static GuestKernel RequireKernel(string series)
    {
        Root.Require();
        Assert.SkipUnless(File.Exists(Qemu), $"needs {Qemu} (apt-get install qemu-system-x86) to boot guests");
        Assert.SkipUnless(File.Exists(Busybox), $"needs a static {Busybox} (apt-get install busybox-static) for the guest's initramfs");
        GuestKernel? kernel = GuestKernel.Find(series, out string? missing);
        Assert.SkipWhen(kernel is null, missing ?? "");
        return kernel!;
    }

    private static string ChooseAccelerator()
    {
        string? forced = Environment.GetEnvironmentVariable("REAPD_GUEST_ACCEL");
        if (forced is "tcg" or "kvm")
        {
            return forced;
        }
        if (!File.Exists("/dev/kvm") || GuestKernel.Find("6.12", out _) is not GuestKernel kernel)
        {
            return "tcg";
        }
        // /dev/kvm can exist and still not run a stock kernel (a nested hypervisor that fails on some instructions):
        // use KVM only when a trivial guest really reaches its init and finishes.
        GuestRun probe = Boot(kernel, ["probe"], new GuestOptions { MemoryMiB = 512, Timeout = TimeSpan.FromSeconds(60) },
            new Dictionary<string, string>(), "kvm")["probe"];
        bool works = probe.BootSeconds is not null && probe.Result("probe") == "ok";
        Report($"KVM probe on {kernel.Release}: {(works ? "boots, using KVM" : "no guest, using TCG")} ({probe.Elapsed.TotalSeconds:0.0} s)");
        return works ? "kvm" : "tcg";
    }

    private static IReadOnlyDictionary<string, GuestRun> Boot(GuestKernel kernel, IReadOnlyList<string> scenarios, GuestOptions options, IReadOnlyDictionary<string, string> env, string accel)
    {
        DirectoryInfo shared = Directory.CreateTempSubdirectory("reapd-guest-");
        string initrd = Path.Combine(Path.GetTempPath(), $"reapd-guest-initrd-{Environment.ProcessId}-{Guid.NewGuid():N}.gz");
        string console = Path.Combine(Path.GetTempPath(), $"reapd-guest-console-{Environment.ProcessId}-{Guid.NewGuid():N}.log");
        try
        {
            PrepareShared(shared.FullName, scenarios, options, env, kernel);
            WriteInitramfs(initrd, kernel, options);
            var stopwatch = Stopwatch.StartNew();
            bool timedOut = RunQemu(kernel, options, accel, initrd, console, shared.FullName);
            stopwatch.Stop();
            string consoleText = File.Exists(console) ? File.ReadAllText(console) : "(no console log)";
            KeepForInspection(kernel, scenarios, shared.FullName, consoleText);
            string guestLog = File.Exists(Path.Combine(shared.FullName, "guest.log")) ? File.ReadAllText(Path.Combine(shared.FullName, "guest.log")) : "";
            var runs = new Dictionary<string, GuestRun>();
            foreach (string scenario in scenarios)
            {
                Dictionary<string, string> files = ReadShared(Path.Combine(shared.FullName, scenario));
                files["guest.log"] = guestLog;
                runs[scenario] = new GuestRun(kernel.Release, consoleText, files, timedOut, stopwatch.Elapsed, BootMarker(consoleText));
            }
            return runs;
        }
        finally
        {
            File.Delete(initrd);
            File.Delete(console);
            shared.Delete(recursive: true);
        }
    }

    private static bool RunQemu(GuestKernel kernel, GuestOptions options, string accel, string initrd, string console, string shared)
    {
        // tsc=reliable: under TCG on a loaded host the TSC watchdog would call the TSC unstable, and switching
        // sched_clock then patches kernel text while the other vCPU runs it (an int3 Oops seen on 6.12).
        var cmdline = new StringBuilder("console=ttyS0 panic=-1 rdinit=/init loglevel=4 mitigations=off tsc=reliable");
        if (options.Systemd)
        {
            cmdline.Append(" systemd.unit=reapd-guest-scenario.service fstab=no systemd.unified_cgroup_hierarchy=1 systemd.show_status=0");
        }
        // setpriv --pdeathsig: if this test process dies, its guest dies with it (qemu is forked by this thread, which
        // waits for it below).
        bool setpriv = File.Exists(Setpriv);
        var psi = new ProcessStartInfo(setpriv ? Setpriv : Qemu) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        string[] args =
        [
            .. setpriv ? new[] { "--pdeathsig", "KILL", "--", Qemu } : [],
            "-accel", accel == "kvm" ? "kvm" : "tcg,thread=multi",
            "-cpu", accel == "kvm" ? "host" : "max",
            "-smp", options.Cpus.ToString(CultureInfo.InvariantCulture),
            "-m", options.MemoryMiB.ToString(CultureInfo.InvariantCulture),
            "-kernel", kernel.Image, "-initrd", initrd, "-append", cmdline.ToString(),
            "-nodefaults", "-display", "none", "-no-reboot", "-serial", "file:" + console,
            "-virtfs", "local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap",
            "-virtfs", $"local,path={shared},mount_tag=guestout,security_model=passthrough,multidevs=remap",
        ];
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        using Process qemu = Process.Start(psi)!;
        Task<string> stdout = qemu.StandardOutput.ReadToEndAsync();
        Task<string> stderr = qemu.StandardError.ReadToEndAsync();
        if (qemu.WaitForExit(options.Timeout))
        {
            qemu.WaitForExit();
            string errors = stderr.Result.Trim();
            if (errors.Length > 0)
            {
                File.AppendAllText(console, "\n[qemu stderr] " + errors + "\n" + stdout.Result);
            }
            return false;
        }
        qemu.Kill(); // our own qemu, by its pid
        qemu.WaitForExit();
        File.AppendAllText(console, $"\n[reapd-guest rig] killed the guest after {options.Timeout.TotalSeconds:0} s\n");
        return true;
    }

    private static void PrepareShared(string shared, IReadOnlyList<string> scenarios, GuestOptions options, IReadOnlyDictionary<string, string> env, GuestKernel kernel)
    {
        string scripts = Path.Combine(AppContext.BaseDirectory, "guest");
        File.Copy(Path.Combine(scripts, "lib.sh"), Path.Combine(shared, "lib.sh"));
        foreach (string scenario in scenarios)
        {
            File.Copy(Path.Combine(scripts, scenario + ".sh"), Path.Combine(shared, scenario + ".sh"));
        }
        var vars = new StringBuilder();
        vars.Append("export SCENARIOS='").Append(string.Join(' ', scenarios)).Append("'\n");
        vars.Append("export GUEST_KERNEL='").Append(kernel.Release).Append("'\n");
        vars.Append("export GUEST_SYSTEMD=").Append(options.Systemd ? "1" : "0").Append('\n');
        foreach ((string name, string value) in env)
        {
            vars.Append("export ").Append(name).Append("='").Append(value.Replace("'", "'\\''", StringComparison.Ordinal)).Append("'\n");
        }
        File.WriteAllText(Path.Combine(shared, "env.sh"), vars.ToString());
        if (options.Systemd)
        {
            var units = new Dictionary<string, string>(options.Units)
            {
                // The scenario as the unit systemd boots into (systemd.unit= on the kernel command line); lib.sh powers off.
                ["reapd-guest-scenario.service"] = "[Unit]\nDescription=reapd guest scenario\n\n[Service]\nType=oneshot\nExecStart=/bin/bash /mnt/lib.sh\n",
            };
            Directory.CreateDirectory(Path.Combine(shared, "units"));
            foreach ((string name, string text) in units)
            {
                string path = Path.Combine(shared, "units", name);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, text);
            }
        }
    }

    private static void WriteInitramfs(string path, GuestKernel kernel, GuestOptions options)
    {
        IReadOnlyList<string> modules = kernel.ModulesInLoadOrder(s_rootModules.Concat(options.WritableRoot ? ["overlay"] : []).Concat(options.Modules));
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        var cpio = new Cpio(gzip);
        foreach (string dir in new[] { "bin", "dev", "proc", "sys", "newroot", "modules", "repository", "lower", "overlay" })
        {
            cpio.Directory(dir);
        }
        cpio.File("bin/busybox", File.ReadAllBytes(Busybox), executable: true);
        cpio.Symlink("bin/sh", "busybox");
        var insmod = new StringBuilder();
        foreach (string module in modules)
        {
            string name = Path.GetFileName(module);
            cpio.File("modules/" + name, File.ReadAllBytes(Path.Combine(kernel.ModulesDirectory, module)), executable: false);
            insmod.Append("insmod /modules/").Append(name).Append(" || echo \"reapd-guest: insmod ").Append(name).Append(" failed\"\n");
        }
        cpio.File("init", Encoding.ASCII.GetBytes(InitScript(insmod.ToString(), options.Systemd, options.WritableRoot, NativeProgram.RepositoryRoot)), executable: true);
        cpio.Finish();
    }

    /// <summary>
    /// The guest's PID 1 until the scenario starts. 9p root with cache=loose (this machine's files do not change under
    /// a test), the shared directory uncached so every write reaches the host before power-off. The repository (the
    /// published reapd, the helpers, the test binaries) is bound back over the guest's tmpfs mounts: a checkout under
    /// /tmp, /run or /var (CI's clean clones) would otherwise be hidden by them. With a writable root the 9p root is
    /// the lower layer of an overlay whose upper layer is a tmpfs (bound under /run for the scenario to inspect), and
    /// /var stays the host's, copied up on write.
    /// </summary>
    private static string InitScript(string insmod, bool systemd, bool writableRoot, string repository) => $$"""
        #!/bin/sh
        /bin/busybox --install -s /bin
        mount -t proc proc /proc
        mount -t sysfs sysfs /sys
        mount -t devtmpfs devtmpfs /dev
        {{insmod}}
        if [ "{{(writableRoot ? "1" : "0")}}" = 1 ]; then
            mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /lower || echo "reapd-guest: no 9p root"
            mount -t tmpfs -o mode=755 tmpfs /overlay
            mkdir -p /overlay/upper /overlay/work
            mount -t overlay -o lowerdir=/lower,upperdir=/overlay/upper,workdir=/overlay/work overlay /newroot || echo "reapd-guest: no overlay root"
        else
            mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /newroot || echo "reapd-guest: no 9p root"
        fi
        mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 guestout /newroot/mnt || echo "reapd-guest: no shared directory"
        mount --bind "/newroot{{repository}}" /repository || echo "reapd-guest: no repository at {{repository}}"
        mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp
        mount -t tmpfs -o mode=755 tmpfs /newroot/run
        if [ "{{(writableRoot ? "1" : "0")}}" = 1 ]; then
            mkdir -p "/newroot{{OverlayMount}}" && mount --bind /overlay "/newroot{{OverlayMount}}"
            # The host's root carries no update stamps; on a writable /etc and /var systemd would take that for an
            # updated /usr and rebuild hwdb, the ld.so cache and the catalog at boot (about 20 s under TCG), which it
            # skips on a read-only root. Nothing was updated: stamp them.
            touch /newroot/etc/.updated /newroot/var/.updated
        else
            mount -t tmpfs -o mode=755 tmpfs /newroot/var
            mkdir -p /newroot/var/tmp /newroot/var/log /newroot/var/lib && chmod 1777 /newroot/var/tmp
        fi
        mkdir -p "/newroot{{repository}}" 2>/dev/null
        mount --bind /repository "/newroot{{repository}}" || echo "reapd-guest: cannot bind the repository"
        echo "{{InitMarker}}$(cut -d' ' -f1 /proc/uptime)"
        if [ "{{(systemd ? "1" : "0")}}" = 1 ]; then
            mkdir -p /newroot/run/systemd/system
            cp -r /newroot/mnt/units/. /newroot/run/systemd/system/
            umount /proc /sys
            mount --move /dev /newroot/dev
            # The shared root may carry /.dockerenv; an empty $container tells systemd (PID 1) it is not in a
            # container, so that it reads systemd.unit= from the kernel command line.
            export container=
            exec switch_root /newroot /lib/systemd/systemd
        fi
        mount -t proc proc /newroot/proc
        mount -t sysfs sysfs /newroot/sys
        mount -t devtmpfs devtmpfs /newroot/dev
        mount -t cgroup2 cgroup2 /newroot/sys/fs/cgroup
        chroot /newroot /bin/bash /mnt/lib.sh
        echo "reapd-guest: scenario exit $?"
        sync
        poweroff -f
        """.Replace("\r", "", StringComparison.Ordinal) + "\n";

    /// <summary>The last run of each scenario stays in artifacts/guest-runs/RELEASE/SCENARIO (results, events, console).</summary>
    private static void KeepForInspection(GuestKernel kernel, IReadOnlyList<string> scenarios, string shared, string console)
    {
        foreach (string scenario in scenarios)
        {
            string keep = Path.Combine(NativeProgram.RepositoryRoot, "artifacts", "guest-runs", kernel.Release, scenario);
            if (Directory.Exists(keep))
            {
                Directory.Delete(keep, recursive: true);
            }
            Directory.CreateDirectory(keep);
            string from = Path.Combine(shared, scenario);
            if (Directory.Exists(from))
            {
                foreach (string file in Directory.EnumerateFiles(from))
                {
                    File.Copy(file, Path.Combine(keep, Path.GetFileName(file)));
                }
            }
            File.WriteAllText(Path.Combine(keep, "console.log"), console);
        }
    }

    private static Dictionary<string, string> ReadShared(string shared)
    {
        var files = new Dictionary<string, string>();
        if (!Directory.Exists(shared))
        {
            return files;
        }
        foreach (string file in Directory.EnumerateFiles(shared))
        {
            var info = new FileInfo(file);
            files[info.Name] = info.Length <= 4 << 20 ? File.ReadAllText(file) : "(larger than 4 MiB)";
        }
        return files;
    }

    private static double? BootMarker(string console)
    {
        int at = console.IndexOf(InitMarker, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }
        string rest = console[(at + InitMarker.Length)..];
        int end = rest.IndexOfAny(['\r', '\n']);
        return double.TryParse(end < 0 ? rest : rest[..end], NumberStyles.Float, CultureInfo.InvariantCulture, out double s) ? s : null;
    }

    /// <summary>One line per guest in the test's output and in artifacts/guest-times.log (the numbers docs/platforms.md gives).</summary>
    private static void Report(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        string log = Path.Combine(NativeProgram.RepositoryRoot, "artifacts", "guest-times.log");
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        File.AppendAllText(log, string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {line}\n"));
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : "…" + text[^4000..];
}
