package io.jsyd.oci.lifecycle;

import io.jsyd.oci.ConflictException;
import io.jsyd.oci.OciIoException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A container's directory under --root. Making it is how an id is claimed: the
 * mkdir either makes it or fails because another container has the id.
 */
public final class StateDir implements AutoCloseable {
    private final Path dir;

    private StateDir(Path dir) {
        this.dir = dir;
    }

    public static StateDir claim(Path root, String id) throws ConflictException, OciIoException {
        Path dir = root.resolve(id);
        try {
            Files.createDirectories(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new OciIoException("create state root", root, e);
        }
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
        } catch (FileAlreadyExistsException e) {
            throw new ConflictException("container with id exists: " + id);
        } catch (IOException e) {
            throw new OciIoException("create state directory", dir, e);
        }
        return new StateDir(dir);
    }

    public Path path() {
        return dir;
    }

    /** Removes the directory and what is in it; the id is free again. */
    @Override
    public void close() throws OciIoException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            throw new OciIoException("remove state directory", dir, e);
        }
    }
}
