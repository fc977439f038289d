package io.jsyd.oci.image;

import com.github.luben.zstd.ZstdOutputStream;
import io.jsyd.oci.spec.SpecJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/** Writes OCI image layouts (and tars of them) from layer tars made in the test. */
final class LayoutBuilder {
    record Blob(String mediaType, String digest, long size) {
        Map<String, Object> descriptor() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("mediaType", mediaType);
            d.put("digest", digest);
            d.put("size", size);
            return d;
        }
    }

    private final Path dir;
    private final List<Blob> layers = new ArrayList<>();
    private final List<String> diffIds = new ArrayList<>();
    private final Map<String, Object> config = new LinkedHashMap<>();
    private String architecture = "amd64";

    LayoutBuilder(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    }

    Path dir() {
        return dir;
    }

    LayoutBuilder layer(byte[] tar, Compression compression) throws IOException {
        diffIds.add(sha256(tar));
        byte[] blob = switch (compression) {
            case NONE -> tar;
            case GZIP -> {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                try (OutputStream gz = new GZIPOutputStream(b)) {
                    gz.write(tar);
                }
                yield b.toByteArray();
            }
            case ZSTD -> {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                try (OutputStream z = new ZstdOutputStream(b)) {
                    z.write(tar);
                }
                yield b.toByteArray();
            }
        };
        String type = "application/vnd.oci.image.layer.v1.tar" + switch (compression) {
            case NONE -> "";
            case GZIP -> "+gzip";
            case ZSTD -> "+zstd";
        };
        layers.add(blob(blob, type));
        return this;
    }

    /** Replaces a layer's diff_id in the config (a lying config). */
    LayoutBuilder diffId(int index, String digest) {
        diffIds.set(index, digest);
        return this;
    }

    LayoutBuilder architecture(String arch) {
        this.architecture = arch;
        return this;
    }

    /** A field of the config's "config" object (Cmd, Entrypoint, Env, User, WorkingDir, Labels, ...). */
    LayoutBuilder config(String field, Object value) {
        config.put(field, value);
        return this;
    }

    /** Writes config and manifest blobs; returns the manifest's descriptor. */
    Blob manifest() throws IOException {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("created", "2026-01-01T00:00:00Z");
        cfg.put("architecture", architecture);
        cfg.put("os", "linux");
        cfg.put("config", config);
        cfg.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
        Blob configBlob = blob(json(cfg), "application/vnd.oci.image.config.v1+json");
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.put("config", configBlob.descriptor());
        manifest.put("layers", layers.stream().map(Blob::descriptor).toList());
        return blob(json(manifest), "application/vnd.oci.image.manifest.v1+json");
    }

    /** A layout whose index.json names one image {@code ref}. */
    Path write(String ref) throws IOException {
        Blob m = manifest();
        Map<String, Object> d = m.descriptor();
        d.put("annotations", Map.of("org.opencontainers.image.ref.name", ref));
        writeIndex(List.of(d));
        return dir;
    }

    void writeIndex(List<Map<String, Object>> manifests) throws IOException {
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("manifests", manifests);
        Files.write(dir.resolve("index.json"), json(index));
    }

    Blob blob(byte[] data, String mediaType) throws IOException {
        String digest = sha256(data);
        Files.write(dir.resolve("blobs/sha256/" + digest.substring(7)), data);
        return new Blob(mediaType, digest, data.length);
    }

    Path blobFile(Blob b) {
        return dir.resolve("blobs/sha256/" + b.digest().substring(7));
    }

    Path layerFile(int index) {
        return blobFile(layers.get(index));
    }

    static byte[] json(Object value) {
        return SpecJson.mapper().writeValueAsString(value).getBytes(StandardCharsets.UTF_8);
    }

    static String sha256(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A tar of a directory tree (regular files and directories), as an OCI archive is a tar of a layout. */
    static byte[] tarOf(Path root) throws IOException {
        TarBuilder t = new TarBuilder();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted().toList()) {
                String name = root.relativize(p).toString();
                if (name.isEmpty()) {
                    continue;
                }
                if (Files.isDirectory(p)) {
                    t.dir(name + "/", 0755);
                } else {
                    t.file(name, 0644, Files.readAllBytes(p));
                }
            }
        }
        return t.build();
    }
}
