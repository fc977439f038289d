package io.jsyd.oci.image;

import io.jsyd.oci.ImageException;
import io.jsyd.oci.image.store.ArchiveStore;
import io.jsyd.oci.image.store.BlobStore;
import io.jsyd.oci.image.store.DirStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * Where an image comes from, recognised by what it holds: an OCI image layout
 * (oci-layout + index.json; a directory, or a tar of one as `podman save
 * --format oci-archive` writes), a Docker archive (manifest.json listing
 * Config/RepoTags/Layers; `docker save`, `podman save`), or the containers/image
 * "dir" format (manifest.json is the image manifest, blobs named by their
 * hex digest; `podman save --format docker-dir`).
 */
public final class ImageSource implements AutoCloseable {
    private static final String REF_NAME = "org.opencontainers.image.ref.name";
    private static final String CONTAINERD_NAME = "io.containerd.image.name";
    /** A file name that is a sha256 digest (podman names Docker archive members so). */
    private static final Pattern HEX_NAME = Pattern.compile("(?:.*/)?(?:sha256:)?([a-f0-9]{64})(?:\\.tar|\\.json)?");

    public enum Format {
        OCI_LAYOUT, DOCKER_ARCHIVE, DIR
    }

    private final Path path;
    private final BlobStore store;
    private final Format format;

    private ImageSource(Path path, BlobStore store, Format format) {
        this.path = path;
        this.store = store;
        this.format = format;
    }

    /**
     * Opens {@code path}, a directory or an uncompressed tar archive (a
     * compressed archive must be decompressed into {@code path} first by the
     * caller, see {@link Compression}).
     */
    public static ImageSource open(Path path) throws ImageException {
        BlobStore store;
        try {
            if (Files.isDirectory(path)) {
                store = new DirStore(path);
            } else if (Files.isRegularFile(path)) {
                store = new ArchiveStore(path);
            } else if (!Files.exists(path)) {
                throw new ImageException("image source " + path + " does not exist");
            } else {
                throw new ImageException("image source " + path + " is neither a directory nor a file");
            }
        } catch (IOException | RuntimeException e) {
            throw new ImageException("image source " + path + ": cannot read it as an image archive: "
                    + e.getMessage(), e);
        }
        try {
            return new ImageSource(path, store, detect(path, store));
        } catch (ImageException | RuntimeException e) {
            try {
                store.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    private static Format detect(Path path, BlobStore store) throws ImageException {
        try {
            if (store.exists("index.json")) {
                return Format.OCI_LAYOUT;
            }
            if (store.exists("manifest.json")) {
                JsonNode m = ImageJson.parse(Blobs.read(store, "manifest.json", "manifest"), "manifest.json");
                return m.isArray() ? Format.DOCKER_ARCHIVE : Format.DIR;
            }
        } catch (IOException e) {
            throw new ImageException("image source " + path + ": " + e.getMessage(), e);
        }
        throw new ImageException("image source " + path + " is not an image: it has neither index.json "
                + "(OCI image layout) nor manifest.json (Docker archive)");
    }

    public Format format() {
        return format;
    }

    public BlobStore store() {
        return store;
    }

    /** The image for {@code ref} (null: the only one there) and {@code platform}. */
    public ResolvedImage resolve(String ref, Platform platform) throws ImageException {
        return switch (format) {
            case OCI_LAYOUT -> resolveLayout(ref, platform);
            case DOCKER_ARCHIVE -> resolveDockerArchive(ref, platform);
            case DIR -> resolveDir(platform);
        };
    }

    private ResolvedImage resolveLayout(String ref, Platform platform) throws ImageException {
        checkLayoutVersion();
        JsonNode index = ImageJson.parse(Blobs.read(store, "index.json", "index"), store.location("index.json"));
        List<Descriptor> all = Manifests.descriptors(index, "manifests", store.location("index.json"));
        Manifests manifests = new Manifests(store, Digest::blobPath, platform);
        if (all.isEmpty()) {
            throw new ImageException(store.location("index.json") + " lists no images");
        }
        List<Descriptor> chosen = new ArrayList<>();
        if (ref != null) {
            for (Descriptor d : all) {
                if (d.digest().toString().equals(ref) || RefMatch.matchesAny(names(d), ref)) {
                    chosen.add(d);
                }
            }
            if (chosen.isEmpty()) {
                throw new ImageException("no image " + ref + " in " + path + "; it has: " + listing(all));
            }
        } else {
            chosen.addAll(all);
            Set<String> distinct = new LinkedHashSet<>();
            for (Descriptor d : all) {
                distinct.add(String.join(",", names(d)));
            }
            if (distinct.size() > 1) {
                throw new ImageException(path + " holds several images: " + listing(all)
                        + " (choose one with --ref)");
            }
        }
        String description = path + (ref == null ? "" : " (" + ref + ")");
        Descriptor d = chosen.size() == 1 ? chosen.getFirst()
                : manifests.choosePlatform(chosen, store.location("index.json"));
        return manifests.resolve(d, description);
    }

    private void checkLayoutVersion() throws ImageException {
        try {
            if (!store.exists("oci-layout")) {
                return; // some tools omit it; index.json is what matters
            }
        } catch (IOException e) {
            throw new ImageException(store.location("oci-layout") + ": " + e.getMessage(), e);
        }
        JsonNode layout = ImageJson.parse(Blobs.read(store, "oci-layout", "oci-layout"), store.location("oci-layout"));
        String version = ImageJson.string(layout, "imageLayoutVersion", store.location("oci-layout"));
        if (!version.startsWith("1.")) {
            throw new ImageException(store.location("oci-layout") + ": image layout version \"" + version
                    + "\" is not supported (1.x)");
        }
    }

    private static List<String> names(Descriptor d) {
        List<String> names = new ArrayList<>();
        for (String key : List.of(REF_NAME, CONTAINERD_NAME)) {
            String v = d.annotations().get(key);
            if (v != null && !v.isEmpty()) {
                names.add(v);
            }
        }
        return names;
    }

    private static String listing(List<Descriptor> all) {
        return all.stream().map(d -> {
            List<String> n = names(d);
            String platform = d.platform() == null ? "" : " [" + d.platform() + "]";
            return (n.isEmpty() ? d.digest().toString() : String.join(" / ", n)) + platform;
        }).distinct().collect(Collectors.joining(", "));
    }

    private ResolvedImage resolveDockerArchive(String ref, Platform platform) throws ImageException {
        String doc = store.location("manifest.json");
        JsonNode manifest = ImageJson.parse(Blobs.read(store, "manifest.json", "manifest"), doc);
        List<JsonNode> entries = new ArrayList<>(manifest.values());
        if (entries.isEmpty()) {
            throw new ImageException(doc + " lists no images");
        }
        List<String> all = new ArrayList<>();
        JsonNode chosen = null;
        for (int i = 0; i < entries.size(); i++) {
            JsonNode e = entries.get(i);
            String where = doc + ": [" + i + "]";
            if (!e.isObject()) {
                throw new ImageException(where + " must be an object");
            }
            List<String> tags = ImageJson.strings(e, "RepoTags", where);
            String config = ImageJson.string(e, "Config", where);
            all.add(tags.isEmpty() ? config : String.join(" / ", tags));
            boolean match = ref == null || RefMatch.matchesAny(tags, ref)
                    || (ref.startsWith("sha256:") && hexName(config) != null
                    && ref.equals("sha256:" + hexName(config)));
            if (match) {
                if (chosen != null) {
                    throw new ImageException(path + " holds several images" + (ref == null ? "" : " named " + ref)
                            + ": " + String.join(", ", allNames(entries, doc)) + " (choose one with --ref)");
                }
                chosen = e;
            }
        }
        if (chosen == null) {
            throw new ImageException("no image " + ref + " in " + path + "; it has: " + String.join(", ", all));
        }
        String where = doc;
        String configPath = safePath(ImageJson.string(chosen, "Config", where), where + ": Config");
        Digest configDigest = digestFromName(configPath);
        byte[] configJson = configDigest != null
                ? Blobs.readVerified(store, configPath, configDigest, -1, "config")
                : Blobs.read(store, configPath, "config");
        ImageConfig config = ImageConfig.parse(configJson, store.location(configPath));
        List<String> layerPaths = ImageJson.strings(chosen, "Layers", where);
        if (layerPaths.size() != config.diffIds().size()) {
            throw new ImageException(where + " lists " + layerPaths.size() + " layers, the config "
                    + store.location(configPath) + " has " + config.diffIds().size() + " diff_ids");
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < layerPaths.size(); i++) {
            String p = safePath(layerPaths.get(i), where + ": Layers[" + i + "]");
            layers.add(new Layer(p, "", digestFromName(p), -1, config.diffIds().get(i)));
        }
        String description = path + (ref == null ? "" : " (" + ref + ")");
        new Manifests(store, Digest::blobPath, platform).checkPlatform(config, description);
        return new ResolvedImage(description, config, layers);
    }

    private static List<String> allNames(List<JsonNode> entries, String doc) throws ImageException {
        List<String> out = new ArrayList<>();
        for (JsonNode e : entries) {
            List<String> tags = ImageJson.strings(e, "RepoTags", doc);
            out.add(tags.isEmpty() ? ImageJson.string(e, "Config", doc) : String.join(" / ", tags));
        }
        return out;
    }

    private ResolvedImage resolveDir(Platform platform) throws ImageException {
        String doc = store.location("manifest.json");
        JsonNode manifest = ImageJson.parse(Blobs.read(store, "manifest.json", "manifest"), doc);
        // containers/image's dir format keeps each blob under its hex digest.
        Manifests manifests = new Manifests(store, Digest::hex, platform);
        return manifests.fromManifest(manifest, doc, path.toString());
    }

    private String safePath(String p, String what) throws ImageException {
        if (!BlobStore.isSafe(p)) {
            throw new ImageException(what + ": \"" + p + "\" is not a path inside the archive");
        }
        return p;
    }

    private static String hexName(String path) {
        Matcher m = HEX_NAME.matcher(path);
        return m.matches() ? m.group(1) : null;
    }

    /** The digest a member's name promises (podman: HEX.tar, HEX.json; OCI: blobs/sha256/HEX), if any. */
    static Digest digestFromName(String path) {
        String hex = hexName(path);
        if (hex == null) {
            return null;
        }
        // Docker's own "<v1 id>/layer.tar" does not match: that directory is an id, not a digest of the file.
        return new Digest("sha256", hex);
    }

    @Override
    public void close() throws ImageException {
        try {
            store.close();
        } catch (IOException e) {
            throw new ImageException("close image source " + path + ": " + e.getMessage(), e);
        }
    }
}
