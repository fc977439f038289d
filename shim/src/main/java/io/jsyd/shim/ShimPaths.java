package io.jsyd.shim;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Where a shim's socket and its containers' state live. */
public final class ShimPaths {
    /** containerd's shims put their sockets here, whatever containerd's own state directory. */
    static final Path SOCKET_DIR = Path.of("/run/containerd/s");
    /** jsyd-oci state roots of the shims, one per containerd (by its address) and namespace. */
    static final Path STATE_DIR = Path.of("/run/jsyd-oci-shim");

    private ShimPaths() {
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /**
     * The socket of the shim serving {@code group} (a pod's sandbox id, or the
     * container's own id) for this containerd and namespace: the sha256 of
     * ADDRESS/NAMESPACE/GROUP, as containerd's shims name theirs.
     */
    public static Path socket(String address, String namespace, String group) {
        return SOCKET_DIR.resolve(sha256(Path.of(address, namespace, group).normalize().toString()));
    }

    /** The jsyd-oci --root of the containers the shims of this containerd and namespace run. */
    public static Path stateRoot(String address, String namespace) {
        return STATE_DIR.resolve(sha256(address).substring(0, 16)).resolve(namespace);
    }
}
