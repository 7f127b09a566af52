package dev.signagefleet.agent.content;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version of a content package, {@code {group}@{n}} (e.g. {@code tokyo-east@3}): the server
 * numbers each group's packages upwards, so within a group a higher number is newer. Versions of
 * different groups are not ordered (a terminal that moved group takes the new group's version).
 */
public record ContentVersion(String group, long number) {

    /** As content-builder writes it: the group is an id, the number starts at 1. */
    private static final Pattern FORMAT = Pattern.compile("([A-Za-z0-9_-]{1,64})@([1-9][0-9]{0,17})");
    /** '@' becomes '+' in directory names: neither may appear in a group, so the mapping is reversible. */
    private static final char DIR_SEPARATOR = '+';

    public ContentVersion {
        Objects.requireNonNull(group, "group");
        if (number < 1) {
            throw new IllegalArgumentException("a content version number starts at 1, was " + number);
        }
    }

    /** Parses {@code tokyo-east@3}; empty when the text is not a version. */
    public static Optional<ContentVersion> parse(String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new ContentVersion(m.group(1), Long.parseLong(m.group(2))));
    }

    /** The name of this version's directory under {@code versions/}: {@code tokyo-east+3}. */
    public String dirName() {
        return group + DIR_SEPARATOR + number;
    }

    /** The inverse of {@link #dirName()}. */
    public static Optional<ContentVersion> fromDirName(String name) {
        return parse(name.replace(DIR_SEPARATOR, '@')).filter(version -> version.dirName().equals(name));
    }

    /** True when both belong to the same group and this one has the lower number. */
    public boolean isOlderThan(ContentVersion other) {
        return group.equals(other.group) && number < other.number;
    }

    @Override
    public String toString() {
        return group + "@" + number;
    }
}
