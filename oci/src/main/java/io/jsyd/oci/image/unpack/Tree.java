package io.jsyd.oci.image.unpack;

import io.jsyd.runtime.linux.DirFd;
import io.jsyd.runtime.linux.FileStat;
import io.jsyd.runtime.linux.LinuxConstants;
import java.nio.file.Path;
import java.util.Optional;

/** Recursive removal through directory fds: a symlink in the tree is removed, never followed. */
public final class Tree {
    private Tree() {
    }

    /** Removes {@code dir} and everything in it; nothing there is fine. */
    public static void removeAll(Path dir) {
        Path parentPath = dir.toAbsolutePath().getParent();
        try (DirFd parent = DirFd.open(parentPath)) {
            byte[] name = dir.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Optional<FileStat> st = parent.stat(name);
            if (st.isEmpty()) {
                return;
            }
            if (st.get().isDirectory()) {
                removeChildren(parent, name);
                parent.rmdir(name);
            } else {
                parent.unlink(name);
            }
        }
    }

    /** Empties the directory {@code name} of {@code parent}. */
    static void removeChildren(DirFd parent, byte[] name) {
        // Without root, a directory unpacked with mode 0555 must become writable to be emptied.
        if (parent.stat(name).map(s -> (s.mode() & 0700) != 0700).orElse(false)) {
            parent.chmod(name, 0700);
        }
        try (DirFd dir = parent.openDir(name)) {
            for (DirFd.Entry child : dir.list()) {
                boolean isDir = child.type() == LinuxConstants.DT_DIR
                        || (child.type() == LinuxConstants.DT_UNKNOWN
                        && dir.stat(child.name()).map(FileStat::isDirectory).orElse(false));
                if (isDir) {
                    removeChildren(dir, child.name());
                    dir.rmdir(child.name());
                } else {
                    dir.unlink(child.name());
                }
            }
        }
    }
}
