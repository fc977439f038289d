package io.jsyd.runtime.seccomp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version of the libseccomp that the dynamic loader would give us, read from
 * the name of the file {@code libseccomp.so.2} resolves to ({@code
 * libseccomp.so.2.5.4}). Loading the library through JNA to ask it would cost tens
 * of milliseconds, which {@code --version} must not pay; a few {@code stat} calls
 * and one small file read do. ({@code features} loads the library anyway, through
 * {@link Libseccomp}, to ask what it can build.)
 *
 * <p>The search follows the loader: the paths listed in {@code /etc/ld.so.cache},
 * then the default directories of this machine's architecture. A candidate counts
 * only if its ELF header matches the JVM's architecture, so a 32-bit multilib copy
 * is never reported for a 64-bit runtime.
 */
public record LibseccompVersion(int major, int minor, int micro) {
    static final String SONAME = "libseccomp.so.2";
    private static final Pattern FILE_NAME = Pattern.compile("libseccomp\\.so\\.(\\d+)\\.(\\d+)\\.(\\d+)");
    private static final Path LD_SO_CACHE = Path.of("/etc/ld.so.cache");

    public LibseccompVersion {
        if (major < 0 || minor < 0 || micro < 0) {
            throw new IllegalArgumentException("negative version component");
        }
    }

    /** The installed library's version, or empty when there is none or its file name carries none. */
    public static Optional<LibseccompVersion> installed() {
        Target target = Target.of(System.getProperty("os.arch", ""));
        List<Path> candidates = new ArrayList<>(fromLdCache(LD_SO_CACHE));
        candidates.addAll(defaultDirectories(target).stream().map(d -> d.resolve(SONAME)).toList());
        return find(candidates, target);
    }

    /**
     * The first candidate that exists and is a library for {@code target} decides:
     * its real file name gives the version, or nothing if the name has none (then a
     * later candidate would not be the library the loader uses, so it is not asked).
     */
    static Optional<LibseccompVersion> find(List<Path> candidates, Target target) {
        for (Path candidate : candidates) {
            Path real;
            try {
                real = candidate.toRealPath();
            } catch (IOException e) {
                continue;
            }
            if (!target.accepts(real)) {
                continue;
            }
            return fromFileName(real.getFileName().toString());
        }
        return Optional.empty();
    }

    /** {@code libseccomp.so.2.5.4} gives 2.5.4; any other name gives nothing. */
    public static Optional<LibseccompVersion> fromFileName(String name) {
        Matcher m = FILE_NAME.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new LibseccompVersion(Integer.parseInt(m.group(1)),
                    Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Absolute paths in the loader cache whose last element is the soname. Both
     * cache formats keep keys and paths as NUL-terminated strings, so a scan of the
     * strings finds them without decoding the entry tables.
     */
    static List<Path> fromLdCache(Path cache) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(cache);
        } catch (IOException e) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        String suffix = "/" + SONAME;
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != 0) {
                continue;
            }
            if (i > start && bytes[start] == '/') {
                String s = new String(bytes, start, i - start, StandardCharsets.ISO_8859_1);
                if (s.endsWith(suffix)) {
                    Path p = Path.of(s);
                    if (!found.contains(p)) {
                        found.add(p);
                    }
                }
            }
            start = i + 1;
        }
        return found;
    }

    /** Where the loader looks when the cache does not know the library. */
    static List<Path> defaultDirectories(Target target) {
        List<Path> dirs = new ArrayList<>();
        target.multiarchTuple().ifPresent(t -> {
            dirs.add(Path.of("/lib", t));
            dirs.add(Path.of("/usr/lib", t));
        });
        if (target.elfClass() == Target.ELFCLASS64) {
            dirs.add(Path.of("/lib64"));
            dirs.add(Path.of("/usr/lib64"));
        }
        dirs.add(Path.of("/lib"));
        dirs.add(Path.of("/usr/lib"));
        return dirs;
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + micro;
    }

    /**
     * The ELF class and machine a library must have to be loadable by this JVM, and
     * the Debian multiarch directory name. An unknown architecture accepts any ELF file.
     */
    record Target(int elfClass, int machine, Optional<String> multiarchTuple) {
        static final int ELFCLASS32 = 1;
        static final int ELFCLASS64 = 2;
        static final int ANY = 0;

        static Target of(String osArch) {
            return switch (osArch.toLowerCase(Locale.ROOT)) {
                case "amd64", "x86_64" -> new Target(ELFCLASS64, 62, Optional.of("x86_64-linux-gnu"));
                case "aarch64", "arm64" -> new Target(ELFCLASS64, 183, Optional.of("aarch64-linux-gnu"));
                case "x86", "i386", "i686" -> new Target(ELFCLASS32, 3, Optional.of("i386-linux-gnu"));
                case "arm" -> new Target(ELFCLASS32, 40, Optional.of("arm-linux-gnueabihf"));
                case "ppc64le" -> new Target(ELFCLASS64, 21, Optional.of("powerpc64le-linux-gnu"));
                case "s390x" -> new Target(ELFCLASS64, 22, Optional.of("s390x-linux-gnu"));
                case "riscv64" -> new Target(ELFCLASS64, 243, Optional.of("riscv64-linux-gnu"));
                case "loongarch64" -> new Target(ELFCLASS64, 258, Optional.of("loongarch64-linux-gnu"));
                case "mips64el" -> new Target(ELFCLASS64, 8, Optional.of("mips64el-linux-gnuabi64"));
                default -> new Target(ANY, ANY, Optional.empty());
            };
        }

        /** Reads the 20 bytes of ELF identification and machine; anything unreadable is refused. */
        boolean accepts(Path file) {
            byte[] head = new byte[20];
            try (InputStream in = Files.newInputStream(file)) {
                if (in.readNBytes(head, 0, head.length) < head.length) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
            if (head[0] != 0x7f || head[1] != 'E' || head[2] != 'L' || head[3] != 'F') {
                return false;
            }
            if (elfClass == ANY) {
                return true;
            }
            ByteOrder order = head[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            int fileMachine = Short.toUnsignedInt(ByteBuffer.wrap(head, 18, 2).order(order).getShort());
            return head[4] == elfClass && fileMachine == machine;
        }
    }
}
