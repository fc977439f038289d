package io.jsyd.runtime.policy;

/** One rule of one category: what to do with an access its pattern matches, and where it was written. */
public record Rule(Action action, Category category, Pattern pattern, Origin origin) {
    public Rule {
        boolean net = pattern instanceof NetAddress;
        if (net && !category.takesAddresses()) {
            throw new IllegalArgumentException(category.spelling() + " rules cannot name IP addresses");
        }
        if (pattern instanceof PathGlob g && g.isAbstract() && category.kind() != Category.Kind.NET) {
            throw new IllegalArgumentException(category.spelling() + " rules take paths, not socket names");
        }
    }

    /** Whether another rule says the same thing (its origin aside): what removal compares. */
    public boolean sameAs(Action otherAction, Category otherCategory, Pattern otherPattern) {
        return action == otherAction && category == otherCategory && pattern.text().equals(otherPattern.text());
    }

    /** The rule as a policy line, e.g. {@code allow/read+/usr/***}. */
    public String line() {
        return action.spelling() + "/" + category.spelling() + "+" + pattern.text();
    }
}
