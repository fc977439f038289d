package io.jsyd.runtime.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A minimal rootfs made of Debian's busybox-static, for tests that run containers. */
final class BusyboxRootfs {
    static final Path BUSYBOX = Path.of("/bin/busybox");

    private BusyboxRootfs() {
    }

    static boolean available() {
        return Files.isExecutable(BUSYBOX);
    }

    static Path create(Path dir) throws IOException {
        Path root = dir.resolve("rootfs");
        for (String d : List.of("bin", "dev", "proc", "sys", "tmp", "etc", "out")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.copy(BUSYBOX, root.resolve("bin/busybox"));
        for (String applet : List.of("sh", "cat", "ls", "echo", "hostname", "id", "readlink", "stat", "grep",
                "mount", "true", "false", "sleep", "test", "touch", "head", "wc", "ps")) {
            Files.createSymbolicLink(root.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
        return root;
    }
}
