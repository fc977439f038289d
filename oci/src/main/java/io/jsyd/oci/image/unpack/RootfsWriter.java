package io.jsyd.oci.image.unpack;

import io.jsyd.oci.image.tar.TarEntry;
import io.jsyd.oci.image.tar.TarReader;
import io.jsyd.runtime.SyscallException;
import io.jsyd.runtime.linux.DirFd;
import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.FileOps;
import io.jsyd.runtime.linux.FileStat;
import io.jsyd.runtime.linux.LinuxConstants;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Applies layer entries to a root filesystem, the way the OCI image spec's
 * layer changesets say, without ever acting outside it.
 *
 * <p>Safety: an entry's parent directory is opened with openat2
 * RESOLVE_IN_ROOT from the rootfs's fd, so ".." and symlinks planted by earlier
 * entries or layers (absolute or relative) resolve inside the rootfs; the entry
 * itself is then created relative to that directory fd with calls that never
 * follow a symlink in its place (O_EXCL|O_NOFOLLOW, AT_SYMLINK_NOFOLLOW,
 * linkat without AT_SYMLINK_FOLLOW). Hard link targets are resolved the same
 * way, so a link can only ever name a file of the rootfs.
 *
 * <p>Directories get their mode and times at the end ({@link #finish}): the
 * entries written into them later would change their mtime, and a directory
 * without write permission must stay writable while it is filled.
 */
public final class RootfsWriter implements AutoCloseable {
    private static final String OPAQUE = ".wh..wh..opq";
    private static final String WHITEOUT = ".wh.";
    private static final int MAX_OPEN_DIRS = 32;

    /** What the caller may do: as root everything; otherwise no chown, no devices, only user.* xattrs. */
    public enum Privilege {
        ROOT, UNPRIVILEGED
    }

    /**
     * Counts of what was left out: owners, devices and privileged xattrs in an
     * unprivileged unpack; overlayfs's own xattrs always.
     */
    public record Skipped(int owners, int devices, int xattrs, int overlayXattrs) {
    }

    private record DirMeta(int mode, Instant atime, Instant mtime) {
    }

    private final DirFd root;
    private final Privilege privilege;
    private final byte[] buffer = new byte[1 << 18];
    /** Open parent directories, least recently used first; cleared whenever anything is removed. */
    private final LinkedHashMap<String, DirFd> dirs = new LinkedHashMap<>(64, 0.75f, true);
    /** Paths written by the current layer and their ancestors: whiteouts hide only lower layers. */
    private final Set<String> touched = new HashSet<>();
    private final TreeMap<String, DirMeta> dirMeta = new TreeMap<>();
    private final List<DirFd> retired = new ArrayList<>();
    private int skippedOwners;
    private int skippedDevices;
    private int skippedXattrs;
    private int skippedOverlayXattrs;

    public RootfsWriter(DirFd root, Privilege privilege) {
        this.root = root;
        this.privilege = privilege;
    }

    public void beginLayer() {
        touched.clear();
    }

    public Skipped skipped() {
        return new Skipped(skippedOwners, skippedDevices, skippedXattrs, skippedOverlayXattrs);
    }

    /**
     * Applies one entry; regular file data is read from {@code data}.
     *
     * @throws UnpackException for an entry that cannot be applied (the message names it)
     */
    public void apply(TarEntry entry, TarReader data) throws IOException {
        String path = EntryPath.clean(entry.name());
        try {
            String name = EntryPath.name(path);
            if (name.startsWith(WHITEOUT)) {
                whiteout(entry, path, name);
                return;
            }
            if (path.isEmpty()) {
                rootEntry(entry);
                return;
            }
            DirFd parent = parent(EntryPath.parent(path));
            byte[] n = EntryPath.bytes(name);
            switch (entry.type()) {
                case DIRECTORY -> directory(parent, n, path, entry);
                case FILE -> file(parent, n, entry, data);
                case SYMLINK -> symlink(parent, n, entry);
                case HARDLINK -> hardlink(parent, n, entry);
                case CHAR_DEVICE, BLOCK_DEVICE, FIFO -> special(parent, n, entry);
            }
            touch(path);
        } catch (SyscallException e) {
            throw new UnpackException(EntryPath.display(path) + ": " + e.getMessage(), e);
        } finally {
            closeRetired();
        }
    }

    private void rootEntry(TarEntry entry) throws UnpackException {
        if (entry.type() != TarEntry.Type.DIRECTORY) {
            throw new UnpackException("entry " + entry.displayName() + " names the root directory but is a "
                    + entry.type().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
        }
        try (Fd self = root.openInRoot(new byte[] {'.'}, (int) LinuxConstants.O_RDONLY)) {
            if (privilege == Privilege.ROOT) {
                FileOps.chown(self, entry.uid(), entry.gid(), "/");
            } else {
                skippedOwners++;
            }
            for (Map.Entry<String, byte[]> x : entry.xattrs().entrySet()) {
                if (xattrAllowed(x.getKey())) {
                    FileOps.setXattr(self, x.getKey(), x.getValue(), "/");
                }
            }
        }
        dirMeta.put("", new DirMeta(entry.mode(), entry.atime(), entry.mtime()));
    }

    private void directory(DirFd parent, byte[] name, String path, TarEntry entry) {
        try {
            parent.mkdir(name, 0700);
        } catch (SyscallException e) {
            if (!e.is(Errno.EEXIST)) {
                throw e;
            }
            Optional<FileStat> st = parent.stat(name);
            if (st.isEmpty() || !st.get().isDirectory()) {
                removeAll(parent, name, path);
                parent.mkdir(name, 0700);
            }
        }
        if (privilege == Privilege.ROOT) {
            parent.chown(name, entry.uid(), entry.gid());
        } else {
            skippedOwners++;
        }
        setXattrs(parent, name, entry);
        dirMeta.put(path, new DirMeta(entry.mode(), entry.atime(), entry.mtime()));
    }

    private void file(DirFd parent, byte[] name, TarEntry entry, TarReader data) throws IOException {
        Fd fd = create(parent, name);
        try (fd) {
            String subject = parent.label() + "/" + entry.displayName();
            long left = entry.size();
            while (left > 0) {
                int n = data.read(buffer, 0, (int) Math.min(buffer.length, left));
                FileOps.write(fd, buffer, n, subject);
                left -= n;
            }
            if (privilege == Privilege.ROOT) {
                FileOps.chown(fd, entry.uid(), entry.gid(), subject);
            } else {
                skippedOwners++;
            }
            // After chown, which clears setuid/setgid and file capabilities.
            FileOps.chmod(fd, entry.mode(), subject);
            for (Map.Entry<String, byte[]> x : entry.xattrs().entrySet()) {
                if (xattrAllowed(x.getKey())) {
                    FileOps.setXattr(fd, x.getKey(), x.getValue(), subject);
                }
            }
            FileOps.setTimes(fd, entry.atime() == null ? entry.mtime() : entry.atime(), entry.mtime(), subject);
        }
    }

    private Fd create(DirFd parent, byte[] name) {
        try {
            return parent.createFile(name, 0600);
        } catch (SyscallException e) {
            if (!e.is(Errno.EEXIST)) {
                throw e;
            }
        }
        replace(parent, name);
        return parent.createFile(name, 0600);
    }

    private void symlink(DirFd parent, byte[] name, TarEntry entry) {
        try {
            parent.symlink(entry.linkName(), name);
        } catch (SyscallException e) {
            if (!e.is(Errno.EEXIST)) {
                throw e;
            }
            replace(parent, name);
            parent.symlink(entry.linkName(), name);
        }
        finishNode(parent, name, entry, true);
    }

    private void hardlink(DirFd parent, byte[] name, TarEntry entry) throws UnpackException {
        String target = EntryPath.clean(entry.linkName());
        if (target.isEmpty()) {
            throw new UnpackException("hard link " + entry.displayName() + " points to the root directory");
        }
        DirFd targetDir;
        try {
            targetDir = existingDir(EntryPath.parent(target));
        } catch (SyscallException e) {
            throw new UnpackException("hard link " + entry.displayName() + " -> " + entry.displayLinkName()
                    + ": the target's directory is not in the rootfs (" + e.getMessage() + ")", e);
        }
        byte[] targetName = EntryPath.bytes(EntryPath.name(target));
        Optional<FileStat> t = targetDir.stat(targetName);
        if (t.isEmpty()) {
            throw new UnpackException("hard link " + entry.displayName() + " -> " + entry.displayLinkName()
                    + ": the target does not exist in the rootfs");
        }
        if (t.get().isDirectory()) {
            throw new UnpackException("hard link " + entry.displayName() + " -> " + entry.displayLinkName()
                    + ": the target is a directory");
        }
        Optional<FileStat> existing = parent.stat(name);
        if (existing.isPresent()) {
            if (existing.get().ino() == t.get().ino() && existing.get().dev() == t.get().dev()) {
                return; // already this file
            }
            replace(parent, name);
        }
        parent.link(targetDir, targetName, name);
    }

    private void special(DirFd parent, byte[] name, TarEntry entry) {
        int type = switch (entry.type()) {
            case CHAR_DEVICE -> (int) LinuxConstants.S_IFCHR;
            case BLOCK_DEVICE -> (int) LinuxConstants.S_IFBLK;
            default -> (int) LinuxConstants.S_IFIFO;
        };
        if (type != LinuxConstants.S_IFIFO && privilege != Privilege.ROOT) {
            skippedDevices++;
            return;
        }
        try {
            parent.mknod(name, type | entry.mode(), entry.devMajor(), entry.devMinor());
        } catch (SyscallException e) {
            if (!e.is(Errno.EEXIST)) {
                throw e;
            }
            replace(parent, name);
            parent.mknod(name, type | entry.mode(), entry.devMajor(), entry.devMinor());
        }
        finishNode(parent, name, entry, false);
    }

    /** Owner, mode (not for symlinks: Linux has no lchmod), xattrs and times of a node just made. */
    private void finishNode(DirFd parent, byte[] name, TarEntry entry, boolean symlink) {
        if (privilege == Privilege.ROOT) {
            parent.chown(name, entry.uid(), entry.gid());
        } else {
            skippedOwners++;
        }
        if (!symlink) {
            parent.chmod(name, entry.mode());
        }
        setXattrs(parent, name, entry);
        parent.setTimes(name, entry.atime() == null ? entry.mtime() : entry.atime(), entry.mtime());
    }

    private void setXattrs(DirFd parent, byte[] name, TarEntry entry) {
        for (Map.Entry<String, byte[]> x : entry.xattrs().entrySet()) {
            if (xattrAllowed(x.getKey())) {
                parent.setXattr(name, x.getKey(), x.getValue());
            }
        }
    }

    private boolean xattrAllowed(String key) {
        // overlayfs acts on these (redirects, metacopy, opaque) if the rootfs ever becomes a layer of one
        if (key.startsWith("trusted.overlay.")) {
            skippedOverlayXattrs++;
            return false;
        }
        if (privilege == Privilege.ROOT || key.startsWith("user.")) {
            return true;
        }
        skippedXattrs++;
        return false;
    }

    // ---- whiteouts ----

    private void whiteout(TarEntry entry, String path, String name) throws UnpackException {
        String dir = EntryPath.parent(path);
        if (name.equals(OPAQUE)) {
            parent(dir);
            try (DirFd d = root.openDirInRoot(inRoot(dir))) {
                for (DirFd.Entry child : d.list()) {
                    hideLower(d, child.name(), EntryPath.child(dir, EntryPath.of(child.name())));
                }
            }
            touch(dir);
            return;
        }
        if (name.startsWith(WHITEOUT + WHITEOUT)) {
            return; // other AUFS metadata (.wh..wh.plnk and such): never part of the rootfs
        }
        String target = name.substring(WHITEOUT.length());
        if (target.isEmpty() || target.equals(".") || target.equals("..")) {
            throw new UnpackException("whiteout " + entry.displayName() + " names no file");
        }
        DirFd d;
        try {
            d = root.openDirInRoot(inRoot(dir));
        } catch (SyscallException e) {
            if (e.is(Errno.ENOENT) || e.is(Errno.ENOTDIR)) {
                return; // nothing below to hide
            }
            throw e;
        }
        try (d) {
            hideLower(d, EntryPath.bytes(target), EntryPath.child(dir, target));
        }
    }

    /**
     * Removes what lower layers put at {@code path}, keeping what this layer
     * wrote: the spec says a whiteout never hides its own layer's entries.
     */
    private void hideLower(DirFd parent, byte[] name, String path) {
        if (!touched.contains(path)) {
            if (parent.stat(name).isPresent()) {
                removeAll(parent, name, path);
            }
            return;
        }
        Optional<FileStat> st = parent.stat(name);
        if (st.isPresent() && st.get().isDirectory()) {
            try (DirFd d = parent.openDir(name)) {
                for (DirFd.Entry child : d.list()) {
                    hideLower(d, child.name(), EntryPath.child(path, EntryPath.of(child.name())));
                }
            }
        }
    }

    private void touch(String path) {
        String p = path;
        while (touched.add(p) && !p.isEmpty()) {
            p = EntryPath.parent(p);
        }
    }

    // ---- removal ----

    /** Makes room for a new non-directory entry: whatever is there goes, a directory with all it holds. */
    private void replace(DirFd parent, byte[] name) {
        Optional<FileStat> st = parent.stat(name);
        if (st.isPresent()) {
            removeAll(parent, name, null);
        }
    }

    private void removeAll(DirFd parent, byte[] name, String path) {
        Optional<FileStat> st = parent.stat(name);
        if (st.isEmpty()) {
            return;
        }
        // A cached fd may be this directory, or was reached through this symlink.
        retireDirs();
        if (st.get().isDirectory()) {
            if (path != null) {
                dirMeta.remove(path);
                // '0' follows '/': the range is exactly the paths below this one
                dirMeta.subMap(path + "/", path + "0").clear();
            }
            Tree.removeChildren(parent, name);
            parent.rmdir(name);
        } else {
            parent.unlink(name);
        }
    }

    // ---- directories ----

    /** The directory at {@code dir} (rootfs-relative), created with its missing parents (0755, like mkdir -p). */
    private DirFd parent(String dir) {
        if (dir.isEmpty()) {
            return root;
        }
        DirFd cached = dirs.get(dir);
        if (cached != null) {
            return cached;
        }
        DirFd opened;
        try {
            opened = root.openDirInRoot(inRoot(dir));
        } catch (SyscallException e) {
            if (!e.is(Errno.ENOENT)) {
                throw e;
            }
            DirFd up = parent(EntryPath.parent(dir));
            byte[] name = EntryPath.bytes(EntryPath.name(dir));
            try {
                up.mkdir(name, 0755);
            } catch (SyscallException exists) {
                if (!exists.is(Errno.EEXIST)) {
                    throw exists;
                }
            }
            opened = up.openDir(name);
        }
        remember(dir, opened);
        return opened;
    }

    /** An existing directory, never created; throws SyscallException when it is not there. */
    private DirFd existingDir(String dir) {
        if (dir.isEmpty()) {
            return root;
        }
        DirFd cached = dirs.get(dir);
        if (cached != null) {
            return cached;
        }
        DirFd opened = root.openDirInRoot(inRoot(dir));
        remember(dir, opened);
        return opened;
    }

    /** A rootfs-relative directory as openat2 takes it ("" is the root itself). */
    private static byte[] inRoot(String dir) {
        return dir.isEmpty() ? new byte[] {'.'} : EntryPath.bytes(dir);
    }

    private void remember(String dir, DirFd fd) {
        dirs.put(dir, fd);
        if (dirs.size() > MAX_OPEN_DIRS) {
            var eldest = dirs.entrySet().iterator().next();
            eldest.getValue().close();
            dirs.remove(eldest.getKey());
        }
    }

    /** Forgets the cached directories; they are closed after the current entry, which may still use one. */
    private void retireDirs() {
        retired.addAll(dirs.values());
        dirs.clear();
    }

    private void closeRetired() {
        retired.forEach(DirFd::close);
        retired.clear();
    }

    private void closeDirs() {
        retireDirs();
        closeRetired();
    }

    /**
     * Gives directories their modes and times, deepest first. A path that is
     * no longer a directory (a later layer replaced it) is left alone.
     */
    public void finish() {
        closeDirs();
        for (Map.Entry<String, DirMeta> e : dirMeta.descendingMap().entrySet()) {
            String path = e.getKey();
            DirMeta m = e.getValue();
            try {
                if (path.isEmpty()) {
                    try (Fd self = root.openInRoot(new byte[] {'.'}, (int) LinuxConstants.O_RDONLY)) {
                        FileOps.chmod(self, m.mode(), "/");
                        FileOps.setTimes(self, m.atime() == null ? m.mtime() : m.atime(), m.mtime(), "/");
                    }
                    continue;
                }
                try (DirFd parent = root.openDirInRoot(inRoot(EntryPath.parent(path)))) {
                    byte[] name = EntryPath.bytes(EntryPath.name(path));
                    Optional<FileStat> st = parent.stat(name);
                    if (st.isEmpty() || !st.get().isDirectory()) {
                        continue;
                    }
                    parent.chmod(name, m.mode());
                    parent.setTimes(name, m.atime() == null ? m.mtime() : m.atime(), m.mtime());
                }
            } catch (SyscallException ex) {
                if (!ex.is(Errno.ENOENT) && !ex.is(Errno.ENOTDIR)) {
                    throw new SyscallException(ex.syscall(), ex.errno(), EntryPath.display(path));
                }
            }
        }
        dirMeta.clear();
    }

    @Override
    public void close() {
        closeDirs();
    }
}
