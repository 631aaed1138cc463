/** The scanner's trade types: names for output, codes for the slots (index into OPPORTUNITY_TYPES). */
export type OpportunityType = 'fundingCarry' | 'basis' | 'crossVenueSpread' | 'fundingDifferential' | 'calendarSpread';

export const OPPORTUNITY_TYPES: readonly OpportunityType[] = ['fundingCarry', 'basis', 'crossVenueSpread', 'fundingDifferential', 'calendarSpread'];

export const TYPE_FUNDING_CARRY = 0;
export const TYPE_BASIS = 1;
export const TYPE_CROSS_VENUE_SPREAD = 2;
export const TYPE_FUNDING_DIFFERENTIAL = 3;
export const TYPE_CALENDAR_SPREAD = 4;

/** The price gap a type's edge is (basis: (perp - spot) / spot; spread: (rich - cheap) / cheap); null for the funding types. */
export type EdgeMeasure = 'basis' | 'spread';

export function edgeMeasureOf(typeCode: number): EdgeMeasure | null {
  if (typeCode === TYPE_BASIS) return 'basis';
  return typeCode === TYPE_CROSS_VENUE_SPREAD || typeCode === TYPE_CALENDAR_SPREAD ? 'spread' : null;
}
