package io.jsyd.oci.image.store;

import io.jsyd.oci.image.tar.TarEntry;
import io.jsyd.oci.image.tar.TarReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * An image source that is an uncompressed tar archive (an OCI archive, a
 * Docker archive), read in place: one pass records where each member's data
 * is, then blobs are read with positional reads. Symlinks and hard links
 * between members (Docker archives use them for shared layers) are followed
 * inside the archive only.
 */
public final class ArchiveStore implements BlobStore {
    private static final int MAX_LINK_HOPS = 16;

    private record Member(TarEntry.Type type, long offset, long size, String link) {
    }

    private final Path file;
    private final FileChannel channel;
    private final Map<String, Member> members = new HashMap<>();

    public ArchiveStore(Path file) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        try (InputStream in = new FileInputStream(file.toFile())) {
            TarReader reader = new TarReader(in);
            TarEntry e;
            while ((e = reader.next()) != null) {
                String name = normalize(new String(e.name(), StandardCharsets.UTF_8));
                String link = new String(e.linkName(), StandardCharsets.UTF_8);
                members.put(name, new Member(e.type(), e.offset(), e.size(), link));
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static String normalize(String name) {
        Deque<String> parts = new ArrayDeque<>();
        for (String p : name.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(p);
            }
        }
        return String.join("/", parts);
    }

    private Member resolve(String path) throws IOException {
        String p = normalize(BlobStore.checked(path));
        for (int hop = 0; hop <= MAX_LINK_HOPS; hop++) {
            Member m = members.get(p);
            if (m == null) {
                throw new NoSuchFileException(location(path));
            }
            switch (m.type()) {
                case FILE -> {
                    return m;
                }
                case SYMLINK -> {
                    String dir = p.contains("/") ? p.substring(0, p.lastIndexOf('/')) : "";
                    p = normalize(m.link().startsWith("/") ? m.link() : dir + "/" + m.link());
                }
                case HARDLINK -> p = normalize(m.link());
                default -> throw new IOException(location(path) + ": not a regular file in the archive");
            }
        }
        throw new IOException(location(path) + ": too many levels of links in the archive");
    }

    @Override
    public boolean exists(String path) {
        try {
            resolve(path);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public InputStream open(String path) throws IOException {
        Member m = resolve(path);
        return new RangeStream(channel, m.offset(), m.size());
    }

    @Override
    public long size(String path) throws IOException {
        return resolve(path).size();
    }

    @Override
    public String location(String path) {
        return file + ":" + path;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** A window of the archive, read with positional reads so several can be open at once. */
    private static final class RangeStream extends InputStream {
        private final FileChannel channel;
        private long position;
        private final long end;

        RangeStream(FileChannel channel, long start, long length) {
            this.channel = channel;
            this.position = start;
            this.end = start + length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (position >= end) {
                return -1;
            }
            int want = (int) Math.min(len, end - position);
            int n = channel.read(ByteBuffer.wrap(b, off, want), position);
            if (n < 0) {
                throw new java.io.EOFException("archive truncated at byte " + position);
            }
            position += n;
            return n;
        }

        @Override
        public long skip(long n) {
            long k = Math.max(0, Math.min(n, end - position));
            position += k;
            return k;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, end - position);
        }
    }
}
