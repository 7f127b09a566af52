/**
 * Provisioning on AWS: what {@code signage aws setup|add-device|teardown} creates, checks and removes.
 * The plan is computed from the product's own declarations (the subscription map's queues, the
 * broker's {@code TopicPolicy}); a dry run prints it without any network call.
 */
package dev.signagefleet.aws;
