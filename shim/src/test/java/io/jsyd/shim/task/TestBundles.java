package io.jsyd.shim.task;

import com.google.protobuf.MessageLite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/** The root tests' containers: busybox bundles, and calls to the task service as containerd makes them. */
final class TestBundles {
    static final Path BUSYBOX = Path.of("/bin/busybox");

    private TestBundles() {
    }

    /**
     * A busybox bundle running {@code script} with {@code sh -c}, its config's
     * annotations {@code annotations} (JSON object members, may be empty), in a
     * cgroup of its own; the rootfs has /etc/secret, /etc/passwd and a 1777 /tmp.
     */
    static Path bundle(Path dir, String id, String script, String annotations) throws Exception {
        Path bundle = dir.resolve(id);
        Path rootfs = bundle.resolve("rootfs");
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(BUSYBOX, bin.resolve("busybox"));
        for (String tool : new String[] {"sh", "cat", "cp", "chmod", "true", "sleep"}) {
            Files.createSymbolicLink(bin.resolve(tool), Path.of("busybox"));
        }
        Files.createDirectories(rootfs.resolve("proc"));
        Files.createDirectories(rootfs.resolve("dev"));
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/secret"), "not for the container\n");
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/:/bin/sh\n");
        Path tmp = Files.createDirectories(rootfs.resolve("tmp"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.writeString(bundle.resolve("config.json"), """
                {
                  "ociVersion": "1.0.2",
                  "process": {
                    "user": {"uid": 0, "gid": 0},
                    "args": ["/bin/sh", "-c", "%s"],
                    "env": ["PATH=/bin"],
                    "cwd": "/",
                    "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]},
                    "noNewPrivileges": true
                  },
                  "root": {"path": "rootfs"},
                  "annotations": {%s},
                  "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
                             {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]}],
                  "linux": {
                    "cgroupsPath": "/jsyd-shim-test-%d-%s",
                    "namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}]
                  }
                }
                """.formatted(script, annotations, ProcessHandle.current().pid(), id));
        return bundle;
    }

    /** One ttrpc method of the service, called in process, its answer parsed. */
    static <T> T call(TaskService s, String method, MessageLite req, com.google.protobuf.Parser<T> parser)
            throws Exception {
        return parser.parseFrom(s.method(method).call(req.toByteArray(), Map.of()).toByteString());
    }
}
