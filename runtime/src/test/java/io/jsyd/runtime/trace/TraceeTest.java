package io.jsyd.runtime.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Path resolution inside a root, maps lines and ELF headers: the parts that need no tracee. */
class TraceeTest {
    @Test
    void symlinksResolveInsideTheRootNeverOnTheHost(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("usr/bin"));
        Files.writeString(root.resolve("bin/busybox"), "x");
        Files.createSymbolicLink(root.resolve("bin/sh"), Path.of("busybox"));
        Files.createSymbolicLink(root.resolve("usr/bin/env"), Path.of("/bin/sh"));
        Files.createSymbolicLink(root.resolve("escape"), Path.of("../../../../etc/passwd"));
        assertEquals(Optional.of("/bin/busybox"), new Tracee().canonical(root.toString(), "/", "/bin/sh", () -> 1));
        assertEquals(Optional.of("/bin/busybox"), new Tracee().canonical(root.toString(), "/", "/usr/bin/env", () -> 1));
        assertEquals(Optional.of("/bin/busybox"), new Tracee().canonical(root.toString(), "/usr", "../bin//./sh", () -> 1));
        // ".." stops at the root, as the kernel's walk does in a container
        assertEquals(Optional.empty(), new Tracee().canonical(root.toString(), "/", "/escape", () -> 1));
        assertEquals(Optional.empty(), new Tracee().canonical(root.toString(), "/", "/bin/missing", () -> 1));
    }

    @Test
    void linksInTheMiddleLoopsAndTheRootItself(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("lib"));
        Files.createDirectories(root.resolve("usr"));
        Files.writeString(root.resolve("lib/x"), "x");
        Files.createSymbolicLink(root.resolve("usr/lib"), Path.of("../lib"));
        Files.createSymbolicLink(root.resolve("a"), Path.of("b"));
        Files.createSymbolicLink(root.resolve("b"), Path.of("/a"));
        Tracee t = new Tracee();
        assertEquals(Optional.of("/lib/x"), t.canonical(root.toString(), "/", "/usr/lib/x", () -> 1));
        assertEquals(Optional.of("/lib/x"), t.canonical(root.toString(), "/usr", "lib/./x/", () -> 1));
        assertEquals(Optional.of("/lib"), t.canonical(root.toString(), "/", "usr/lib", () -> 1));
        assertEquals(Optional.empty(), t.canonical(root.toString(), "/", "/a", () -> 1));
        assertEquals(Optional.of("/"), t.canonical(root.toString(), "/", "/", () -> 1));
        assertEquals(Optional.of("/"), t.canonical(root.toString(), "/lib", "../..", () -> 1));
    }

    @Test
    void procSelfNamesTheTraceeNotTheTracer(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("proc/7"));
        Files.writeString(root.resolve("proc/7/prog"), "x");
        assertEquals(Optional.of("/proc/7/prog"), new Tracee().canonical(root.toString(), "/", "/proc/self/prog", () -> 7));
        assertEquals(Optional.of("/proc/7/prog"), new Tracee().canonical(root.toString(), "/proc", "thread-self/prog",
                () -> 7));
        // only /proc's own self
        assertEquals(Optional.empty(), new Tracee().canonical(root.toString(), "/", "/self/prog", () -> 7));
    }

    @Test
    void mapsLinesParse() {
        Mapping m = Mapping.parse("7ffd1000-7ffd3000 rwxp 00000000 00:00 0                          [stack]");
        assertEquals("[stack]", m.path());
        assertTrue(m.executable() && m.writable() && m.anonymous());
        assertTrue(m.contains(0x7ffd1000L) && !m.contains(0x7ffd3000L));
        Mapping file = Mapping.parse("00400000-00401000 r-xp 00000000 08:01 42 /probe with space");
        assertEquals("/probe with space", file.path());
        assertFalse(file.anonymous());
        Mapping tabs = Mapping.parse("  7f00-7f10\tr--s 00001000 fd:02  1234\t /a  b ");
        assertEquals(new Mapping(0x7f00, 0x7f10, "r--s", 1234, "/a  b"), tabs);
        Mapping bare = Mapping.parse("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0");
        assertEquals("", bare.path());
        assertEquals(0xffffffffff600000L, bare.start());
        assertThrows(IllegalArgumentException.class, () -> Mapping.parse("7f00-7f10 r--s 0 fd:02"));
    }

    private static boolean stack(String maps) {
        byte[] b = (maps + "spare bytes past the end").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return Mapping.stackExecutable(b, maps.length());
    }

    @Test
    void theStackLineIsFoundAmongTheMapsBytes() {
        String lib = "7f0000000000-7f0000001000 r-xp 00000000 08:01 42                         /lib/libc.so.6\n";
        String tail = "7ffd6000-7ffd8000 r--p 00000000 00:00 0                                  [vvar]\n"
                + "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";
        assertTrue(stack(lib + "7ffd1000-7ffd3000 rwxp 00000000 00:00 0                          [stack]\n" + tail));
        assertFalse(stack(lib + "7ffd1000-7ffd3000 rw-p 00000000 00:00 0                          [stack]\n" + tail));
        // the last line without its newline, trailing blanks, the stack first
        assertTrue(stack("7ffd1000-7ffd3000 rwxp 00000000 00:00 0 [stack]  "));
        assertTrue(stack("7ffd1000-7ffd3000 rwxp 00000000 00:00 0 [stack]\n" + lib + tail));
        // a file whose name ends in "[stack]" is not the stack, whatever its perms
        assertFalse(stack("00400000-00401000 r-xp 00000000 08:01 42 /tmp/x [stack]\n"
                + "7ffd1000-7ffd3000 rw-p 00000000 00:00 0 [stack]\n"));
        assertFalse(stack("00400000-00401000 r-xp 00000000 08:01 42 /tmp/[stack]\n"));
        assertFalse(stack(lib + tail));
        assertFalse(stack(""));
        // what parse(line).executable() says, for the line it would be given
        String line = "7ffd1000-7ffd3000 r-xp 00000000 00:00 0 [stack]";
        assertEquals(Mapping.parse(line).executable(), stack(line));
    }

    @Test
    void aFileIsTheSameByDeviceAndInode() {
        Tracee.FileId id = new Tracee.Stat(0100755, 0, 5, 42).key();
        assertTrue(id.same(new Tracee.Stat(0100644, 1000, 5, 42)));
        assertFalse(id.same(new Tracee.Stat(0100755, 0, 6, 42)));
        assertFalse(id.same(new Tracee.Stat(0100755, 0, 5, 43)));
    }

    private static byte[] elf64(int stackFlags) {
        ByteBuffer b = ByteBuffer.allocate(64 + 2 * 56).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        b.putLong(0x20, 64).putShort(0x36, (short) 56).putShort(0x38, (short) 2);
        b.putInt(64, 1).putInt(64 + 4, 5);
        b.putInt(120, ElfHeader.PT_GNU_STACK).putInt(124, stackFlags);
        return b.array();
    }

    @Test
    void theElfStackHeaderDecides() {
        assertTrue(ElfHeader.execStack(elf64(7)));
        assertFalse(ElfHeader.execStack(elf64(6)));
        assertFalse(ElfHeader.execStack("#!/bin/sh\necho hi\n".repeat(5).getBytes()));
        assertFalse(ElfHeader.execStack(new byte[] {0x7f, 'E', 'L', 'F'}));
    }
}
