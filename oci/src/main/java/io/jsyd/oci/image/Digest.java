package io.jsyd.oci.image;

import io.jsyd.oci.ImageException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest, "sha256:" and 64 lowercase hex digits (or sha512 and 128).
 * The strict form matters beyond verification: the hex part becomes a file name
 * under blobs/, so nothing else may get through.
 */
public record Digest(String algorithm, String hex) {
    private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

    public Digest {
        boolean ok = switch (algorithm) {
            case "sha256" -> SHA256.matcher(hex).matches();
            case "sha512" -> SHA512.matcher(hex).matches();
            default -> false;
        };
        if (!ok) {
            throw new IllegalArgumentException("not a digest: " + algorithm + ":" + hex);
        }
    }

    /** Parses "algorithm:hex"; {@code what} names the field for the error. */
    public static Digest parse(String text, String what) throws ImageException {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon > 0) {
            String algorithm = text.substring(0, colon);
            String hex = text.substring(colon + 1);
            if ((algorithm.equals("sha256") && SHA256.matcher(hex).matches())
                    || (algorithm.equals("sha512") && SHA512.matcher(hex).matches())) {
                return new Digest(algorithm, hex);
            }
            if (!algorithm.equals("sha256") && !algorithm.equals("sha512")) {
                throw new ImageException(what + ": digest algorithm " + algorithm + " is not supported (sha256, sha512)");
            }
        }
        throw new ImageException(what + ": \"" + text + "\" is not a digest (sha256:<64 hex digits>)");
    }

    public static Digest sha256(byte[] hash) {
        return new Digest("sha256", HexFormat.of().formatHex(hash));
    }

    public MessageDigest newHasher() {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + algorithm, e);
        }
    }

    /** The digest of what {@code hasher} (made by {@link #newHasher}) has seen. */
    public Digest of(MessageDigest hasher) {
        return new Digest(algorithm, HexFormat.of().formatHex(hasher.digest()));
    }

    /** Where an OCI image layout keeps this blob. */
    public String blobPath() {
        return "blobs/" + algorithm + "/" + hex;
    }

    /** "sha256:0123456789ab", for progress lines. */
    public String shortForm() {
        return algorithm + ":" + hex.substring(0, 12);
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
