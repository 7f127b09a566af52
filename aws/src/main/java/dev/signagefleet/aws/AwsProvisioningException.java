package dev.signagefleet.aws;

/** The root of what goes wrong while provisioning on AWS; the message says what failed, on which resource, and what to do. */
public class AwsProvisioningException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public AwsProvisioningException(String message) {
        super(message);
    }

    public AwsProvisioningException(String message, Throwable cause) {
        super(message, cause);
    }
}
