/**
 * The channel registry: every subscription type this Worker delivers to. A channel's module
 * exports its `Channel` and is listed here with one line; nothing else names channel types.
 */
import { blueskyChannel } from "./bluesky";
import { discordChannel } from "./discord";
import { emailChannel } from "./email";
import { mastodonChannel } from "./mastodon";
import type { AnyChannel, ChannelType } from "./model";
import { slackChannel } from "./slack";
import { waybackChannel } from "./wayback";
import { webhookChannel } from "./webhook";

const CHANNELS: readonly AnyChannel[] = [
  webhookChannel,
  slackChannel,
  discordChannel,
  emailChannel,
  mastodonChannel,
  blueskyChannel,
  waybackChannel,
];

const byType = new Map<ChannelType, AnyChannel>(CHANNELS.map((channel) => [channel.type, channel]));

/** The channel of `type`, or null when this Worker has none (a type not yet built, or a row from a newer deploy). */
export function channelOf(type: string): AnyChannel | null {
  return byType.get(type as ChannelType) ?? null;
}

/** The types a subscription may be created with, in the registry's order (the API's 400 and the admin page list them). */
export function registeredTypes(): ChannelType[] {
  return CHANNELS.map((channel) => channel.type);
}

export type { AnyChannel, Channel, ChannelContext, ChannelType, DeliveryResult, EditNotice, RedlineImage } from "./model";
