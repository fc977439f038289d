package io.jsyd.oci.state;

import io.jsyd.oci.ContainerStateException;
import io.jsyd.oci.OciIoException;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.runtime.KernelException;
import io.jsyd.runtime.cgroup.CgroupConfig;
import io.jsyd.runtime.cgroup.CgroupFs;
import io.jsyd.runtime.cgroup.CgroupHost;
import io.jsyd.runtime.cgroup.CgroupManager;
import io.jsyd.runtime.cgroup.CgroupPath;
import io.jsyd.runtime.cgroup.Cgroups;
import io.jsyd.runtime.cgroup.Resources;
import io.jsyd.runtime.linux.FileLock;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * --root: one directory per container holding state.json, the exec fifo while the
 * container waits for `start`, and the lock file every command on the id takes.
 */
public final class StateStore {
    public static final String STATE = "state.json";
    public static final String EXEC_FIFO = "exec.fifo";
    private static final String LOCK = "lock";

    private final Path root;

    public StateStore(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public Path dir(String id) {
        return root.resolve(id);
    }

    /**
     * Locks the container's directory: commands on one id run one at a time.
     * A directory that is gone (or never was) is "does not exist".
     */
    public FileLock lock(String id) throws ContainerStateException {
        Path dir = dir(id);
        if (!Files.isDirectory(dir)) {
            throw ContainerStateException.notExist(id);
        }
        try {
            return FileLock.exclusive(dir.resolve(LOCK));
        } catch (KernelException e) {
            if (!Files.isDirectory(dir)) {
                throw ContainerStateException.notExist(id);
            }
            throw e;
        }
    }

    /** The record of a container; without state.json (gone, or create never finished) it does not exist. */
    public ContainerRecord read(String id) throws ContainerStateException, OciIoException {
        Path file = dir(id).resolve(STATE);
        try {
            return SpecJson.mapper().readValue(Files.readString(file), ContainerRecord.class);
        } catch (NoSuchFileException e) {
            throw ContainerStateException.notExist(id);
        } catch (IOException e) {
            throw new OciIoException("read container state", file, e);
        } catch (tools.jackson.core.JacksonException e) {
            throw new OciIoException("read container state", file, new IOException(e.getMessage(), e));
        }
    }

    /** Written whole or not at all: a temp file, fsync, rename over state.json. */
    public void write(ContainerRecord r) throws OciIoException {
        Path dir = dir(r.id());
        Path tmp = dir.resolve("." + STATE + ".tmp");
        byte[] json = SpecJson.mapper().writeValueAsString(r).getBytes(StandardCharsets.UTF_8);
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            c.write(java.nio.ByteBuffer.wrap(json));
            c.force(true);
        } catch (IOException e) {
            throw new OciIoException("write container state", tmp, e);
        }
        try {
            Files.move(tmp, dir.resolve(STATE), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new OciIoException("write container state", dir.resolve(STATE), e);
        }
    }

    /** Container ids under the root, sorted; an absent root has none. */
    public List<String> ids() throws OciIoException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            List<String> ids = new ArrayList<>();
            s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().forEach(ids::add);
            return ids;
        } catch (IOException e) {
            throw new OciIoException("list containers", root, e);
        }
    }

    /** The manager of the cgroup the container was placed in, or null when it has none. */
    public static CgroupManager cgroup(ContainerRecord r) {
        if (r.cgroupPaths().isEmpty()) {
            return null;
        }
        // the path is only a label here: the saved directories are what the manager acts on
        return Cgroups.existing(new CgroupConfig(new CgroupPath.Absolute("/" + r.id()), Resources.NONE),
                r.cgroupDirs(), CgroupHost.system(), CgroupFs.system());
    }

    public Status status(ContainerRecord r) {
        return Status.of(r, dir(r.id()), cgroup(r));
    }
}
