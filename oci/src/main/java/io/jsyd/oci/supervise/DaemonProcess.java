package io.jsyd.oci.supervise;

import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.KernelFiles;
import io.jsyd.runtime.linux.Spawn;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts one of the runtime's own background processes (the supervisor daemon,
 * its watchdog) as a new JVM on the class path of this one: in a session of its
 * own, stdin from /dev/null, stdout and stderr appended to the daemon log, and
 * {@code extra} as fd 3. Nothing else of ours is inherited (every other fd is closed).
 */
final class DaemonProcess {
    private DaemonProcess() {
    }

    /** @param jvm options for this JVM (heap, compiler) */
    static int start(Path root, Path log, List<String> jvm, String verb, List<String> args, Fd extra) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> argv = new ArrayList<>();
        argv.add(java);
        argv.addAll(jvm);
        argv.add("-XX:+UseSerialGC");
        argv.add("-XX:-UsePerfData");
        argv.add("--enable-native-access=ALL-UNNAMED");
        argv.add("-Xlog:disable");
        argv.add("-Xlog:all=warning:stderr");
        // JNA's native part where this JVM found it (the installed launcher unpacks it next to the jars)
        for (String key : List.of("jna.boot.library.path", "jna.nounpack", "jna.nosys", "jna.tmpdir",
                "jna.platform.library.path")) {
            String value = System.getProperty(key);
            if (value != null) {
                argv.add("-D" + key + "=" + value);
            }
        }
        argv.add("-cp");
        argv.add(System.getProperty("java.class.path"));
        argv.add("io.jsyd.oci.cli.Main");
        argv.add("--root");
        argv.add(root.toAbsolutePath().toString());
        argv.add(verb);
        argv.addAll(args);
        // every source away from 0..3, where dup2 onto itself would keep close-on-exec
        try (Fd in = KernelFiles.openRead("/dev/null"); Fd out = KernelFiles.openAppend(log.toString());
             Fd third = extra == null ? null : extra.dupAtLeast(10)) {
            List<Spawn.FdMove> moves = new ArrayList<>(List.of(new Spawn.FdMove(in, 0), new Spawn.FdMove(out, 1),
                    new Spawn.FdMove(out, 2)));
            if (extra != null) {
                moves.add(new Spawn.FdMove(third, 3));
            }
            return Spawn.spawnSession(java, argv, List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "LANG=C.UTF-8"), moves);
        }
    }
}
