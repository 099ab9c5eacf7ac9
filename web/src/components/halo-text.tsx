import type { ReactNode, SVGProps } from 'react';

/**
 * A centred SVG label with a white halo, readable over lines and coloured shapes (topology and park
 * layout diagrams).
 */
export function HaloText({
  x,
  y,
  fontSize = 15,
  fontWeight,
  children,
  ...rest
}: {
  x: number;
  y: number;
  fontSize?: number;
  fontWeight?: number;
  children: ReactNode;
} & Omit<SVGProps<SVGTextElement>, 'x' | 'y' | 'fontSize' | 'fontWeight' | 'children'>) {
  return (
    <text
      x={x}
      y={y}
      textAnchor="middle"
      fontSize={fontSize}
      fontWeight={fontWeight}
      fill="#1b1f1d"
      stroke="#fff"
      strokeWidth={5}
      paintOrder="stroke"
      {...rest}
    >
      {children}
    </text>
  );
}
