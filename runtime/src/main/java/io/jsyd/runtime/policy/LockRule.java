package io.jsyd.runtime.policy;

/** {@code allow/lock/RIGHT+TARGET}: one right granted on one target, and where it was written. */
public record LockRule(LockRight right, LockTarget target, Origin origin) {
    public LockRule {
        if (target instanceof LockTarget.Ports && !right.takesPorts()) {
            throw new IllegalArgumentException("lock/" + right.spelling() + " takes paths, not ports");
        }
        if (target instanceof LockTarget.Beneath && !right.takesPaths()) {
            throw new IllegalArgumentException("lock/" + right.spelling() + " takes TCP ports, not paths");
        }
    }

    /** Whether another rule grants the same (its origin aside): what removal compares. */
    public boolean sameAs(LockRight otherRight, LockTarget otherTarget) {
        return right == otherRight && target.equals(otherTarget);
    }

    public String line() {
        return "allow/lock/" + right.spelling() + "+" + target.text();
    }
}
