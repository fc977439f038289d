package io.jsyd.oci.image;

import io.jsyd.oci.ImageException;
import io.jsyd.oci.image.store.BlobStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * Follows descriptors from an index down to one image: indexes (and Docker
 * manifest lists) by platform, then the manifest's config and layers, each
 * blob checked against its descriptor.
 */
final class Manifests {
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final Set<String> CONFIG_TYPES = Set.of("application/vnd.oci.image.config.v1+json",
            "application/vnd.docker.container.image.v1+json");
    static final Set<String> LAYER_TYPES = Set.of(
            "application/vnd.oci.image.layer.v1.tar",
            "application/vnd.oci.image.layer.v1.tar+gzip",
            "application/vnd.oci.image.layer.v1.tar+zstd",
            "application/vnd.oci.image.layer.nondistributable.v1.tar",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
            "application/vnd.docker.image.rootfs.diff.tar",
            "application/vnd.docker.image.rootfs.diff.tar.gzip",
            "application/vnd.docker.image.rootfs.diff.tar.zstd",
            "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip");
    private static final int MAX_DEPTH = 4;

    private final BlobStore store;
    private final Function<Digest, String> pathOf;
    private final Platform platform;

    /** {@code pathOf} says where the source keeps a blob (blobs/sha256/HEX in an OCI layout). */
    Manifests(BlobStore store, Function<Digest, String> pathOf, Platform platform) {
        this.store = store;
        this.pathOf = pathOf;
        this.platform = platform;
    }

    /** The image a descriptor leads to, through as many indexes as it takes (at most four). */
    ResolvedImage resolve(Descriptor d, String description) throws ImageException {
        return resolve(d, description, 0);
    }

    private ResolvedImage resolve(Descriptor d, String description, int depth) throws ImageException {
        if (depth > MAX_DEPTH) {
            throw new ImageException(description + ": indexes nest deeper than " + MAX_DEPTH);
        }
        String what = kind(d.mediaType());
        byte[] json = Blobs.readVerified(store, pathOf.apply(d.digest()), d.digest(), d.size(), what);
        JsonNode node = ImageJson.parse(json, what + " " + d.digest());
        boolean isIndex = d.mediaType().equals(OCI_INDEX) || d.mediaType().equals(DOCKER_LIST)
                || (d.mediaType().isEmpty() && node.has("manifests"));
        if (isIndex) {
            Descriptor chosen = choosePlatform(descriptors(node, "manifests", "index " + d.digest()),
                    "index " + d.digest());
            return resolve(chosen, description, depth + 1);
        }
        return fromManifest(node, "manifest " + d.digest(), description);
    }

    /** An image from a manifest document already read (the dir: format's manifest.json). */
    ResolvedImage fromManifest(JsonNode manifest, String document, String description) throws ImageException {
        if (manifest.has("manifests")) {
            Descriptor chosen = choosePlatform(descriptors(manifest, "manifests", document), document);
            return resolve(chosen, description, 1);
        }
        Descriptor configDesc = ImageJson.descriptor(ImageJson.object(manifest, "config", document), document
                + ": config");
        if (!configDesc.mediaType().isEmpty() && !CONFIG_TYPES.contains(configDesc.mediaType())) {
            throw new ImageException(document + " is not a container image: its config has media type "
                    + configDesc.mediaType());
        }
        byte[] configJson = Blobs.readVerified(store, pathOf.apply(configDesc.digest()), configDesc.digest(),
                configDesc.size(), "config");
        ImageConfig config = ImageConfig.parse(configJson, "config " + configDesc.digest());
        List<Descriptor> layerDescs = descriptors(manifest, "layers", document);
        if (layerDescs.size() != config.diffIds().size()) {
            throw new ImageException(document + " lists " + layerDescs.size() + " layers, its config "
                    + configDesc.digest() + " has " + config.diffIds().size() + " diff_ids");
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < layerDescs.size(); i++) {
            Descriptor l = layerDescs.get(i);
            if (!l.mediaType().isEmpty() && !LAYER_TYPES.contains(l.mediaType())) {
                throw new ImageException(document + ": layer " + (i + 1) + " (" + l.digest() + ") has media type "
                        + l.mediaType() + ", which is not a filesystem layer jsyd-oci can unpack");
            }
            layers.add(new Layer(pathOf.apply(l.digest()), l.mediaType(), l.digest(), l.size(),
                    config.diffIds().get(i)));
        }
        checkPlatform(config, description);
        return new ResolvedImage(description, config, layers);
    }

    /** The index entry for the requested platform; the first wins when several do (the publisher's order). */
    Descriptor choosePlatform(List<Descriptor> candidates, String where) throws ImageException {
        for (Descriptor d : candidates) {
            if (d.platform() != null && platform.accepts(d.platform())) {
                return d;
            }
        }
        List<Descriptor> unlabeled = candidates.stream().filter(d -> d.platform() == null).toList();
        if (unlabeled.size() == 1) {
            return unlabeled.getFirst(); // its config says what it is; checked there
        }
        String present = candidates.stream()
                .map(d -> d.platform() == null ? "(no platform) " + d.digest().shortForm() : d.platform().toString())
                .collect(Collectors.joining(", "));
        throw new ImageException("no image for platform " + platform + " in " + where + "; it has: "
                + (present.isEmpty() ? "nothing" : present) + " (choose one with --platform)");
    }

    void checkPlatform(ImageConfig config, String description) throws ImageException {
        Platform p = config.platform();
        if (!p.os().isEmpty() && !p.architecture().isEmpty() && !platform.accepts(p)) {
            throw new ImageException(description + " is an image for " + p + ", not " + platform
                    + " (choose another platform with --platform)");
        }
    }

    static List<Descriptor> descriptors(JsonNode node, String field, String document) throws ImageException {
        List<Descriptor> out = new ArrayList<>();
        int i = 0;
        for (JsonNode n : ImageJson.array(node, field, document)) {
            out.add(ImageJson.descriptor(n, document + ": " + field + "[" + i++ + "]"));
        }
        return out;
    }

    private static String kind(String mediaType) {
        return switch (mediaType) {
            case OCI_INDEX, DOCKER_LIST -> "index";
            default -> "manifest";
        };
    }
}
