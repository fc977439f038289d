package io.jsyd.runtime.cgroup;

import io.jsyd.runtime.SyscallException;
import io.jsyd.runtime.linux.Errno;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A temporary directory standing in for cgroupfs. A new cgroup directory gets
 * the files its hierarchy's template names (so a write to a file the "kernel"
 * does not offer fails with ENOENT, as it would); every write is recorded, in
 * order, as "relative/path=value"; failures can be injected per file name.
 */
final class FakeCgroupFs implements CgroupFs {
    final Path root;
    final List<String> writes = new ArrayList<>();
    final List<String> programs = new ArrayList<>();
    private final Map<Path, Map<String, String>> templates = new HashMap<>();
    private final Map<String, Errno> failures = new HashMap<>();
    private final Map<String, java.util.function.UnaryOperator<String>> kernel = new HashMap<>();

    FakeCgroupFs(Path root) {
        this.root = root;
    }

    /** Makes a hierarchy's top directory, with its files, and remembers them for new cgroups below it. */
    Path hierarchy(String mountPoint, Map<String, String> files) {
        Path dir = root.resolve(mountPoint.substring(1));
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, String> f : files.entrySet()) {
                Files.writeString(dir.resolve(f.getKey()), f.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        templates.put(dir, Map.copyOf(files));
        return dir;
    }

    void failWrite(String fileName, Errno errno) {
        failures.put(fileName, errno);
    }

    /** What the "kernel" keeps of a value written to files of this name (clamping, say). */
    void store(String fileName, java.util.function.UnaryOperator<String> keep) {
        kernel.put(fileName, keep);
    }

    void put(Path file, String content) {
        try {
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String content(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The recorded writes whose path ends with {@code fileName}. */
    List<String> writesTo(String fileName) {
        return writes.stream().filter(w -> w.substring(0, w.indexOf('=')).endsWith("/" + fileName)).toList();
    }

    /** The values written to files named {@code fileName}, in order. */
    List<String> values(String fileName) {
        return writesTo(fileName).stream().map(w -> w.substring(w.indexOf('=') + 1)).toList();
    }

    @Override
    public String read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SyscallException("open", Errno.ENOENT.number(), file.toString());
        }
        return content(file);
    }

    @Override
    public void write(Path file, String value) {
        Errno injected = failures.get(file.getFileName().toString());
        if (injected != null) {
            throw new SyscallException("write", injected.number(), file.toString());
        }
        if (!Files.isRegularFile(file)) {
            throw new SyscallException("open", Errno.ENOENT.number(), file.toString());
        }
        writes.add(root.relativize(file) + "=" + value);
        put(file, kernel.getOrDefault(file.getFileName().toString(), v -> v).apply(value));
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(path);
    }

    @Override
    public boolean mkdir(Path dir) {
        if (Files.isDirectory(dir)) {
            return false;
        }
        if (!Files.isDirectory(dir.getParent())) {
            throw new SyscallException("mkdir", Errno.ENOENT.number(), dir.toString());
        }
        try {
            Files.createDirectory(dir);
            for (Map.Entry<Path, Map<String, String>> t : templates.entrySet()) {
                if (dir.startsWith(t.getKey())) {
                    for (Map.Entry<String, String> f : t.getValue().entrySet()) {
                        Files.writeString(dir.resolve(f.getKey()), f.getValue());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return true;
    }

    @Override
    public void rmdir(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        if (!subdirectories(dir).isEmpty()) {
            throw new SyscallException("rmdir", Errno.EBUSY.number(), dir.toString());
        }
        Path procs = dir.resolve("cgroup.procs");
        if (Files.exists(procs) && !content(procs).isBlank()) {
            throw new SyscallException("rmdir", Errno.EBUSY.number(), dir.toString());
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
            Files.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<Path> subdirectories(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void attachDeviceProgram(Path dir, byte[] instructions, String license) {
        programs.add(root.relativize(dir) + ": " + instructions.length / 8 + " instructions, " + license);
    }
}
