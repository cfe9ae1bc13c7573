// The vocabulary of generated catalogs: department names for categories, and
// adjectives, nouns and variants for product names. Some entries contain a
// comma or a double quote on purpose, so that the catalog CSVs carry quoted
// fields and every reader of them is exercised on the real thing.

/** [slug, name] of the departments; more categories reuse them with a number. */
export const DEPARTMENTS: readonly (readonly [string, string])[] = [
  ['books', 'Books'], ['toys', 'Toys'], ['kitchen', 'Kitchen'], ['garden', 'Garden'], ['shoes', 'Shoes'],
  ['electronics', 'Electronics'], ['music', 'Music, Film & Games'], ['sports', 'Sports'], ['outdoor', 'Outdoor'],
  ['beauty', 'Beauty'], ['health', 'Health'], ['baby', 'Baby'], ['pets', 'Pet Supplies'], ['office', 'Office'],
  ['tools', 'Tools & DIY'], ['auto', 'Automotive'], ['grocery', 'Grocery'], ['home', 'Home, Bed & Bath'],
  ['lighting', 'Lighting'], ['furniture', 'Furniture'], ['jewelry', 'Jewelry'], ['watches', 'Watches'],
  ['bags', 'Bags & Luggage'], ['women', 'Women\'s Fashion'], ['men', 'Men\'s Fashion'], ['kids', 'Kids\' Fashion'],
  ['crafts', 'Arts & Crafts'], ['stationery', 'Stationery'], ['games', 'Board Games'], ['video-games', 'Video Games'],
  ['computers', 'Computers'], ['phones', 'Phones'], ['cameras', 'Cameras'], ['audio', 'Audio'], ['tv', 'TV & Video'],
  ['appliances', 'Appliances'], ['cleaning', 'Cleaning'], ['storage', 'Storage'], ['party', 'Party Supplies'],
  ['travel', 'Travel'], ['camping', 'Camping'], ['cycling', 'Cycling'], ['fitness', 'Fitness'], ['running', 'Running'],
  ['swimming', 'Swimming'], ['fishing', 'Fishing'], ['winter', 'Winter Sports'], ['instruments', 'Musical Instruments'],
  ['vinyl', 'Vinyl Records'], ['comics', 'Comics'], ['software', 'Software'], ['smart-home', 'Smart Home'],
  ['coffee', 'Coffee & Tea'], ['wine', 'Wine'], ['snacks', 'Snacks'], ['seasonal', 'Seasonal'], ['gifts', 'Gifts'],
  ['industrial', 'Industrial'], ['medical', 'Medical Supplies'], ['collectibles', 'Collectibles'],
];

export const ADJECTIVES: readonly string[] = [
  'Trail', 'Classic', 'Compact', 'Deluxe', 'Everyday', 'Foldable', 'Heavy-duty', 'Lightweight', 'Organic', 'Portable',
  'Premium', 'Recycled', 'Rugged', 'Silent', 'Slim', 'Smart', 'Solar', 'Sturdy', 'Vintage', 'Waterproof',
  'Wireless', 'Wooden', 'Woolen', 'Ceramic', 'Bamboo', 'Copper', 'Glass', 'Linen', 'Magnetic', 'Modular',
];

export const NOUNS: readonly string[] = [
  'shoe', 'kettle', 'lamp', 'backpack', 'notebook', 'blender', 'tent', 'jacket', 'mug', 'speaker', 'puzzle',
  'chair', 'scarf', 'drill', 'watch', 'camera', 'pan', 'pillow', 'blanket', 'bottle', 'charger', 'keyboard',
  'headphones', 'bicycle bell', 'yoga mat', 'teapot', 'candle', 'plant pot', 'umbrella', 'wallet', 'socks',
  'board game', 'novel', 'cookbook', 'frame', 'rug', 'toaster', 'monitor', 'ruler', 'mirror',
];

/** Appended to some names: the commas and quotes are the point. */
export const VARIANTS: readonly string[] = [
  ', 2-pack', ', size M', ', blue', ', large', ' 12" edition', ', set of 4', ', refill', ' (gift box)',
];
