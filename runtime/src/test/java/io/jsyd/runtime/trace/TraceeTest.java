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
    void procSelfNamesTheTraceeNotTheTracer(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("proc/7"));
        Files.writeString(root.resolve("proc/7/prog"), "x");
        assertEquals(Optional.of("/proc/7/prog"), new Tracee().canonical(root.toString(), "/", "/proc/self/prog", () -> 7));
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
