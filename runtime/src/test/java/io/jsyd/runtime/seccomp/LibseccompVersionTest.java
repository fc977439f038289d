package io.jsyd.runtime.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibseccompVersionTest {
    private static final LibseccompVersion.Target X86_64 = LibseccompVersion.Target.of("amd64");

    @TempDir
    Path dir;

    @Test
    void parsesTheVersionFromTheRealFileName() {
        assertEquals(Optional.of(new LibseccompVersion(2, 5, 4)), LibseccompVersion.fromFileName("libseccomp.so.2.5.4"));
        assertEquals("2.6.10", LibseccompVersion.fromFileName("libseccomp.so.2.6.10").orElseThrow().toString());
        assertEquals(Optional.empty(), LibseccompVersion.fromFileName("libseccomp.so.2"));
        assertEquals(Optional.empty(), LibseccompVersion.fromFileName("libseccomp.so.2.5"));
        assertEquals(Optional.empty(), LibseccompVersion.fromFileName("libfoo.so.2.5.4"));
    }

    @Test
    void followsTheSonameSymlinkToTheVersionedFile() throws IOException {
        Path lib = Files.createDirectory(dir.resolve("lib"));
        elf(lib.resolve("libseccomp.so.2.5.4"), 2, 62);
        Files.createSymbolicLink(lib.resolve("libseccomp.so.2"), Path.of("libseccomp.so.2.5.4"));

        assertEquals("2.5.4", LibseccompVersion.find(List.of(dir.resolve("missing/libseccomp.so.2"),
                lib.resolve("libseccomp.so.2")), X86_64).orElseThrow().toString());
    }

    @Test
    void skipsLibrariesOfAnotherArchitecture() throws IOException {
        Path lib32 = Files.createDirectory(dir.resolve("lib32"));
        Path lib64 = Files.createDirectory(dir.resolve("lib64"));
        elf(lib32.resolve("libseccomp.so.2.4.1"), 1, 3);
        Files.createSymbolicLink(lib32.resolve("libseccomp.so.2"), Path.of("libseccomp.so.2.4.1"));
        elf(lib64.resolve("libseccomp.so.2.5.5"), 2, 62);
        Files.createSymbolicLink(lib64.resolve("libseccomp.so.2"), Path.of("libseccomp.so.2.5.5"));
        Files.writeString(dir.resolve("libseccomp.so.2.9.9"), "not an ELF file");

        assertEquals("2.5.5", LibseccompVersion.find(List.of(dir.resolve("libseccomp.so.2.9.9"),
                lib32.resolve("libseccomp.so.2"), lib64.resolve("libseccomp.so.2")), X86_64)
                .orElseThrow().toString());
    }

    @Test
    void anUnversionedFileNameMeansUnknownNotTheNextCandidate() throws IOException {
        Path a = Files.createDirectory(dir.resolve("a"));
        Path b = Files.createDirectory(dir.resolve("b"));
        elf(a.resolve("libseccomp.so.2"), 2, 62);
        elf(b.resolve("libseccomp.so.2.5.4"), 2, 62);
        Files.createSymbolicLink(b.resolve("libseccomp.so.2"), Path.of("libseccomp.so.2.5.4"));

        assertEquals(Optional.empty(), LibseccompVersion.find(
                List.of(a.resolve("libseccomp.so.2"), b.resolve("libseccomp.so.2")), X86_64));
    }

    @Test
    void readsLibraryPathsFromTheLoaderCacheStrings() throws IOException {
        Path cache = dir.resolve("ld.so.cache");
        String strings = "glibc-ld.so.cache1.1\0libseccomp.so.2\0/lib/i386-linux-gnu/libseccomp.so.2\0"
                + "libc.so.6\0/lib/x86_64-linux-gnu/libc.so.6\0/lib/x86_64-linux-gnu/libseccomp.so.2\0"
                + "/lib/x86_64-linux-gnu/libseccomp.so.2\0/opt/libseccomp.so.20\0";
        Files.write(cache, strings.getBytes(StandardCharsets.ISO_8859_1));

        assertEquals(List.of(Path.of("/lib/i386-linux-gnu/libseccomp.so.2"),
                Path.of("/lib/x86_64-linux-gnu/libseccomp.so.2")), LibseccompVersion.fromLdCache(cache));
        assertEquals(List.of(), LibseccompVersion.fromLdCache(dir.resolve("no-cache")));
    }

    @Test
    void defaultDirectoriesPutTheMultiarchDirectoryFirst() {
        List<Path> dirs = LibseccompVersion.defaultDirectories(X86_64);
        assertEquals(Path.of("/lib/x86_64-linux-gnu"), dirs.getFirst());
        assertTrue(dirs.indexOf(Path.of("/usr/lib64")) < dirs.indexOf(Path.of("/usr/lib")));
        assertEquals(List.of(Path.of("/lib"), Path.of("/usr/lib")),
                LibseccompVersion.defaultDirectories(LibseccompVersion.Target.of("sparc")));
    }

    @Test
    void agreesWithTheDebianPackageDatabase() throws Exception {
        Optional<String> packaged = dpkgVersion("libseccomp2");
        assumeTrue(packaged.isPresent(), "dpkg-query does not know libseccomp2 on this machine");
        // Debian versions look like 2.5.4-1+deb12u1: the upstream part is the library's.
        String upstream = packaged.get().replaceFirst("^\\d+:", "").replaceFirst("-[^-]*$", "");
        assertEquals(upstream, LibseccompVersion.installed().map(LibseccompVersion::toString).orElse("none"));
    }

    private static Optional<String> dpkgVersion(String pkg) throws Exception {
        java.lang.Process p;
        try {
            p = new ProcessBuilder("dpkg-query", "-W", "-f=${Version} ${db:Status-Status}", pkg)
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            return Optional.empty();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || !out.endsWith(" installed")) {
            return Optional.empty();
        }
        return Optional.of(out.substring(0, out.indexOf(' ')));
    }

    /** A file that starts like an ELF shared object of the given class and machine. */
    private static void elf(Path file, int elfClass, int machine) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) elfClass, 1, 1, 0});
        b.position(16);
        b.putShort((short) 3);
        b.putShort((short) machine);
        Files.write(file, b.array());
    }
}
