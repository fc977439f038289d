package io.jsyd.runtime.policy;

import java.util.HexFormat;
import java.util.Optional;

/**
 * One {@code force+PATH:SHA256[:ACTION]} line: exec of PATH (the canonical path in
 * the container) goes ahead only when its contents hash to {@code sha256}; on a
 * mismatch the rule's action applies, or {@code default/force} when it names none.
 */
public record ForceRule(String path, String sha256, Optional<Action> action, Origin origin) {
    public ForceRule {
        if (path.isEmpty() || path.charAt(0) != '/') {
            throw new IllegalArgumentException("a force path must be absolute, got '" + GlobSyntax.shorten(path) + "'");
        }
        if (sha256.length() != 64 || !sha256.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new IllegalArgumentException("expected 64 lower-case hex digits (a SHA-256) after force+" + path
                    + ":, got '" + GlobSyntax.shorten(sha256) + "'");
        }
    }

    public byte[] digest() {
        return HexFormat.of().parseHex(sha256);
    }

    public String line() {
        return "force+" + path + ":" + sha256 + action.map(a -> ":" + a.spelling()).orElse("");
    }
}
