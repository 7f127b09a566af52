package dev.signagefleet.builder.build;

import dev.signagefleet.common.SignageException;

/** A group's package grew past the configured limit while it was written. */
public class PackageTooLargeException extends SignageException {

    public PackageTooLargeException(long limit) {
        super("the package is larger than the limit of " + limit + " bytes (SIGNAGE_MAX_PACKAGE_BYTES); "
                + "split the slides over more groups or raise the limit");
    }
}
