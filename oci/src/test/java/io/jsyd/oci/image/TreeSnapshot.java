package io.jsyd.oci.image;

import io.jsyd.runtime.linux.DirFd;
import io.jsyd.runtime.linux.FileStat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A rootfs as a comparable text: per path its type, mode, owner, link target,
 * device numbers, xattrs and content hash, plus which paths share an inode.
 * Times are left out (tools differ on directory mtimes and atimes by design).
 */
record TreeSnapshot(Map<String, String> entries, List<String> hardLinkGroups) {

    static TreeSnapshot of(Path rootfs) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        Map<Long, TreeSet<String>> inodes = new TreeMap<>();
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(rootfs)) {
            paths = walk.toList();
        }
        for (Path p : paths) {
            String rel = "/" + rootfs.relativize(p);
            Path parentPath = p.equals(rootfs) ? rootfs.getParent() : p.getParent();
            byte[] name = p.getFileName().toString().getBytes(StandardCharsets.UTF_8);
            try (DirFd parent = DirFd.open(parentPath)) {
                FileStat st = parent.stat(name).orElseThrow();
                StringBuilder d = new StringBuilder();
                String type = switch (st.type() >> 12) {
                    case 010 -> "file";
                    case 004 -> "dir";
                    case 012 -> "symlink";
                    case 002 -> "char";
                    case 006 -> "block";
                    case 001 -> "fifo";
                    default -> "other";
                };
                d.append(type);
                if (!st.isSymlink()) {
                    d.append(String.format(" mode=%04o", st.permissions()));
                }
                d.append(" owner=").append(st.uid()).append(':').append(st.gid());
                if (st.isSymlink()) {
                    d.append(" -> ").append(new String(parent.readlink(name), StandardCharsets.UTF_8));
                }
                if (type.equals("char") || type.equals("block")) {
                    d.append(" dev=").append(st.rdevMajor()).append(',').append(st.rdevMinor());
                }
                if (st.isRegular()) {
                    d.append(" sha256=").append(sha256(Files.readAllBytes(p)));
                    if (st.nlink() > 1) {
                        inodes.computeIfAbsent(st.ino(), k -> new TreeSet<>()).add(rel);
                    }
                }
                for (Map.Entry<String, byte[]> x : new TreeMap<>(parent.xattrs(name)).entrySet()) {
                    d.append(' ').append(x.getKey()).append('=').append(HexFormat.of().formatHex(x.getValue()));
                }
                entries.put(rel, d.toString());
            }
        }
        List<String> groups = new ArrayList<>();
        for (TreeSet<String> g : inodes.values()) {
            groups.add(String.join(" = ", g));
        }
        groups.sort(null);
        return new TreeSnapshot(entries, groups);
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    String text() {
        StringBuilder b = new StringBuilder();
        entries.forEach((k, v) -> b.append(k).append(' ').append(v).append('\n'));
        hardLinkGroups.forEach(g -> b.append("hardlinks ").append(g).append('\n'));
        return b.toString();
    }
}
