package io.jsyd.runtime.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.runtime.SyscallException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirFdTest {
    @TempDir
    Path tmp;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void resolutionInRootNeverLeavesTheRoot() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root/inner"));
        Files.writeString(tmp.resolve("secret"), "host");
        Files.createSymbolicLink(tmp.resolve("root/up"), Path.of("../../../.."));
        Files.createSymbolicLink(tmp.resolve("root/abs"), tmp);
        try (DirFd r = DirFd.open(tmp.resolve("root"))) {
            try (DirFd up = r.openDirInRoot(b("up"))) {
                // "up" climbs to the root itself, not above it
                assertEquals(r.stat().ino(), up.stat().ino());
            }
            SyscallException e = assertThrows(SyscallException.class, () -> r.openInRoot(b("abs/secret"), 0));
            assertTrue(e.is(Errno.ENOENT), e.getMessage());
            assertThrows(SyscallException.class, () -> r.openInRoot(b("../secret"), 0));
            assertThrows(SyscallException.class, () -> r.openDir(b("up"))); // a symlink is never followed here
        }
        assertTrue(Files.isDirectory(root));
    }

    @Test
    void nodesMetadataAndListing() throws Exception {
        try (DirFd d = DirFd.open(tmp)) {
            try (Fd f = d.createFile(b("f"), 0600)) {
                FileOps.write(f, b("data"), 4, "f");
                FileOps.chmod(f, 04751, "f");
                FileOps.setTimes(f, null, Instant.ofEpochSecond(1_000_000_000L, 5), "f");
            }
            assertThrows(SyscallException.class, () -> d.createFile(b("f"), 0600));
            d.symlink(b("f"), b("s"));
            d.link(d, b("s"), b("hs"));
            d.mkdir(b("dir"), 0700);
            d.mknod(b("p"), (int) LinuxConstants.S_IFIFO | 0640, 0, 0);
            FileStat f = d.stat(b("f")).orElseThrow();
            assertEquals(04751, f.permissions());
            assertEquals(4, f.size());
            assertEquals(Instant.ofEpochSecond(1_000_000_000L, 5), f.mtime());
            assertTrue(d.stat(b("s")).orElseThrow().isSymlink());
            assertEquals(2, d.stat(b("s")).orElseThrow().nlink()); // the link is to the symlink itself
            assertArrayEquals(b("f"), d.readlink(b("hs")));
            assertEquals(LinuxConstants.S_IFIFO, d.stat(b("p")).orElseThrow().type());
            assertFalse(d.stat(b("missing")).isPresent());
            List<String> names = d.list().stream().map(e -> new String(e.name(), StandardCharsets.UTF_8)).sorted().toList();
            assertEquals(List.of("dir", "f", "hs", "p", "s"), names);
            d.setXattr(b("f"), "user.k", new byte[] {0, (byte) 0xc0, 1});
            assertArrayEquals(new byte[] {0, (byte) 0xc0, 1}, d.xattrs(b("f")).get("user.k"));
            SyscallException e = assertThrows(SyscallException.class, () -> d.rename(b("p"), d, b("f"), true));
            assertTrue(e.is(Errno.EEXIST));
            d.rename(b("p"), d, b("q"), true);
            d.unlink(b("q"));
            d.rmdir(b("dir"));
            assertFalse(Files.exists(tmp.resolve("dir")));
        }
    }
}
